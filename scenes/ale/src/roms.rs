//! The ALE ROM table and a local ROM registry keyed by MD5.
//!
//! No ROM is ever committed: users import their own dumps (or ale-py's bundled ones)
//! into a registry folder, `$ARCADIA_ROMS` or `~/.local/share/arcadia/roms` by default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

use crate::error::AleError;

/// One row of ALE's ROM table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RomInfo {
    /// ALE's snake-case ROM name (`"ms_pacman"`).
    pub name: &'static str,
    /// MD5 of the supported dump, lower-case hex.
    pub md5: &'static str,
    /// Size of the dump in bytes.
    pub bytes: usize,
}

/// ALE 0.12's ROM table (from ale-py 0.12.1's bundled ROMs): name, MD5, size in bytes.
pub const ROM_TABLE: &[RomInfo] = &[
    RomInfo {
        name: "adventure",
        md5: "4b27f5397c442d25f0c418ccdacf1926",
        bytes: 4096,
    },
    RomInfo {
        name: "air_raid",
        md5: "35be55426c1fec32dfb503b4f0651572",
        bytes: 4096,
    },
    RomInfo {
        name: "alien",
        md5: "f1a0a23e6464d954e3a9579c4ccd01c8",
        bytes: 4096,
    },
    RomInfo {
        name: "amidar",
        md5: "acb7750b4d0c4bd34969802a7deb2990",
        bytes: 4096,
    },
    RomInfo {
        name: "assault",
        md5: "de78b3a064d374390ac0710f95edde92",
        bytes: 4096,
    },
    RomInfo {
        name: "asterix",
        md5: "89a68746eff7f266bbf08de2483abe55",
        bytes: 8192,
    },
    RomInfo {
        name: "asteroids",
        md5: "ccbd36746ed4525821a8083b0d6d2c2c",
        bytes: 8192,
    },
    RomInfo {
        name: "atlantis",
        md5: "9ad36e699ef6f45d9eb6c4cf90475c9f",
        bytes: 4096,
    },
    RomInfo {
        name: "atlantis2",
        md5: "826481f6fc53ea47c9f272f7050eedf7",
        bytes: 4096,
    },
    RomInfo {
        name: "backgammon",
        md5: "8556b42aa05f94bc29ff39c39b11bff4",
        bytes: 4096,
    },
    RomInfo {
        name: "bank_heist",
        md5: "00ce0bdd43aed84a983bef38fe7f5ee3",
        bytes: 4096,
    },
    RomInfo {
        name: "basic_math",
        md5: "819aeeb9a2e11deb54e6de334f843894",
        bytes: 2048,
    },
    RomInfo {
        name: "battle_zone",
        md5: "41f252a66c6301f1e8ab3612c19bc5d4",
        bytes: 8192,
    },
    RomInfo {
        name: "beam_rider",
        md5: "79ab4123a83dc11d468fb2108ea09e2e",
        bytes: 8192,
    },
    RomInfo {
        name: "berzerk",
        md5: "136f75c4dd02c29283752b7e5799f978",
        bytes: 4096,
    },
    RomInfo {
        name: "blackjack",
        md5: "0a981c03204ac2b278ba392674682560",
        bytes: 2048,
    },
    RomInfo {
        name: "bowling",
        md5: "c9b7afad3bfd922e006a6bfc1d4f3fe7",
        bytes: 2048,
    },
    RomInfo {
        name: "boxing",
        md5: "c3ef5c4653212088eda54dc91d787870",
        bytes: 2048,
    },
    RomInfo {
        name: "breakout",
        md5: "f34f08e5eb96e500e851a80be3277a56",
        bytes: 2048,
    },
    RomInfo {
        name: "carnival",
        md5: "028024fb8e5e5f18ea586652f9799c96",
        bytes: 4096,
    },
    RomInfo {
        name: "casino",
        md5: "b816296311019ab69a21cb9e9e235d12",
        bytes: 4096,
    },
    RomInfo {
        name: "centipede",
        md5: "91c2098e88a6b13f977af8c003e0bca5",
        bytes: 8192,
    },
    RomInfo {
        name: "chopper_command",
        md5: "c1cb228470a87beb5f36e90ac745da26",
        bytes: 4096,
    },
    RomInfo {
        name: "combat",
        md5: "0ef64cdbecccb7049752a3de0b7ade14",
        bytes: 2048,
    },
    RomInfo {
        name: "crazy_climber",
        md5: "55ef7b65066428367844342ed59f956c",
        bytes: 8192,
    },
    RomInfo {
        name: "crossbow",
        md5: "8cd26dcf249456fe4aeb8db42d49df74",
        bytes: 16384,
    },
    RomInfo {
        name: "darkchambers",
        md5: "106855474c69d08c8ffa308d47337269",
        bytes: 16384,
    },
    RomInfo {
        name: "defender",
        md5: "0f643c34e40e3f1daafd9c524d3ffe64",
        bytes: 4096,
    },
    RomInfo {
        name: "demon_attack",
        md5: "f0e0addc07971561ab80d9abe1b8d333",
        bytes: 4096,
    },
    RomInfo {
        name: "donkey_kong",
        md5: "36b20c427975760cb9cf4a47e41369e4",
        bytes: 4096,
    },
    RomInfo {
        name: "double_dunk",
        md5: "368d88a6c071caba60b4f778615aae94",
        bytes: 16384,
    },
    RomInfo {
        name: "earthworld",
        md5: "5aea9974b975a6a844e6df10d2b861c4",
        bytes: 8192,
    },
    RomInfo {
        name: "elevator_action",
        md5: "71f8bacfbdca019113f3f0801849057e",
        bytes: 8192,
    },
    RomInfo {
        name: "enduro",
        md5: "94b92a882f6dbaa6993a46e2dcc58402",
        bytes: 4096,
    },
    RomInfo {
        name: "entombed",
        md5: "6b683be69f92958abe0e2a9945157ad5",
        bytes: 4096,
    },
    RomInfo {
        name: "et",
        md5: "615a3bf251a38eb6638cdc7ffbde5480",
        bytes: 8192,
    },
    RomInfo {
        name: "fishing_derby",
        md5: "b8865f05676e64f3bec72b9defdacfa7",
        bytes: 2048,
    },
    RomInfo {
        name: "flag_capture",
        md5: "30512e0e83903fc05541d2f6a6a62654",
        bytes: 2048,
    },
    RomInfo {
        name: "freeway",
        md5: "8e0ab801b1705a740b476b7f588c6d16",
        bytes: 2048,
    },
    RomInfo {
        name: "frogger",
        md5: "081e2c114c9c20b61acf25fc95c71bf4",
        bytes: 4096,
    },
    RomInfo {
        name: "frostbite",
        md5: "4ca73eb959299471788f0b685c3ba0b5",
        bytes: 4096,
    },
    RomInfo {
        name: "galaxian",
        md5: "211774f4c5739042618be8ff67351177",
        bytes: 8192,
    },
    RomInfo {
        name: "gopher",
        md5: "c16c79aad6272baffb8aae9a7fff0864",
        bytes: 4096,
    },
    RomInfo {
        name: "gravitar",
        md5: "8ac18076d01a6b63acf6e2cab4968940",
        bytes: 8192,
    },
    RomInfo {
        name: "hangman",
        md5: "f16c709df0a6c52f47ff52b9d95b7d8d",
        bytes: 4096,
    },
    RomInfo {
        name: "haunted_house",
        md5: "f0a6e99f5875891246c3dbecbf2d2cea",
        bytes: 4096,
    },
    RomInfo {
        name: "hero",
        md5: "fca4a5be1251927027f2c24774a02160",
        bytes: 8192,
    },
    RomInfo {
        name: "human_cannonball",
        md5: "7972e5101fa548b952d852db24ad6060",
        bytes: 2048,
    },
    RomInfo {
        name: "ice_hockey",
        md5: "a4c08c4994eb9d24fb78be1793e82e26",
        bytes: 4096,
    },
    RomInfo {
        name: "jamesbond",
        md5: "e51030251e440cffaab1ac63438b44ae",
        bytes: 8192,
    },
    RomInfo {
        name: "journey_escape",
        md5: "718ae62c70af4e5fd8e932fee216948a",
        bytes: 4096,
    },
    RomInfo {
        name: "joust",
        md5: "3276c777cbe97cdd2b4a63ffc16b7151",
        bytes: 8192,
    },
    RomInfo {
        name: "kaboom",
        md5: "5428cdfada281c569c74c7308c7f2c26",
        bytes: 2048,
    },
    RomInfo {
        name: "kangaroo",
        md5: "4326edb70ff20d0ee5ba58fa5cb09d60",
        bytes: 8192,
    },
    RomInfo {
        name: "keystone_kapers",
        md5: "6c1f3f2e359dbf55df462ccbcdd2f6bf",
        bytes: 4096,
    },
    RomInfo {
        name: "king_kong",
        md5: "0dd4c69b5f9a7ae96a7a08329496779a",
        bytes: 4096,
    },
    RomInfo {
        name: "klax",
        md5: "eed9eaf1a0b6a2b9bc4c8032cb43e3fb",
        bytes: 16384,
    },
    RomInfo {
        name: "koolaid",
        md5: "534e23210dd1993c828d944c6ac4d9fb",
        bytes: 4096,
    },
    RomInfo {
        name: "krull",
        md5: "4baada22435320d185c95b7dd2bcdb24",
        bytes: 8192,
    },
    RomInfo {
        name: "kung_fu_master",
        md5: "5b92a93b23523ff16e2789b820e2a4c5",
        bytes: 8192,
    },
    RomInfo {
        name: "laser_gates",
        md5: "8e4cd60d93fcde8065c1a2b972a26377",
        bytes: 4096,
    },
    RomInfo {
        name: "lost_luggage",
        md5: "2d76c5d1aad506442b9e9fb67765e051",
        bytes: 4096,
    },
    RomInfo {
        name: "mario_bros",
        md5: "e908611d99890733be31733a979c62d8",
        bytes: 8192,
    },
    RomInfo {
        name: "maze_craze",
        md5: "ed2218b3075d15eaa34e3356025ccca3",
        bytes: 4096,
    },
    RomInfo {
        name: "miniature_golf",
        md5: "df62a658496ac98a3aa4a6ee5719c251",
        bytes: 2048,
    },
    RomInfo {
        name: "montezuma_revenge",
        md5: "3347a6dd59049b15a38394aa2dafa585",
        bytes: 8192,
    },
    RomInfo {
        name: "mr_do",
        md5: "aa7bb54d2c189a31bb1fa20099e42859",
        bytes: 8192,
    },
    RomInfo {
        name: "ms_pacman",
        md5: "87e79cd41ce136fd4f72cc6e2c161bee",
        bytes: 8192,
    },
    RomInfo {
        name: "name_this_game",
        md5: "36306070f0c90a72461551a7a4f3a209",
        bytes: 4096,
    },
    RomInfo {
        name: "othello",
        md5: "113cd09c9771ac278544b7e90efe7df2",
        bytes: 2048,
    },
    RomInfo {
        name: "pacman",
        md5: "fc2233fc116faef0d3c31541717ca2db",
        bytes: 4096,
    },
    RomInfo {
        name: "phoenix",
        md5: "7e52a95074a66640fcfde124fffd491a",
        bytes: 8192,
    },
    RomInfo {
        name: "pitfall",
        md5: "3e90cf23106f2e08b2781e41299de556",
        bytes: 4096,
    },
    RomInfo {
        name: "pitfall2",
        md5: "6d842c96d5a01967be9680080dd5be54",
        bytes: 10495,
    },
    RomInfo {
        name: "pong",
        md5: "60e0ea3cbe0913d39803477945e9e5ec",
        bytes: 2048,
    },
    RomInfo {
        name: "pooyan",
        md5: "4799a40b6e889370b7ee55c17ba65141",
        bytes: 4096,
    },
    RomInfo {
        name: "private_eye",
        md5: "ef3a4f64b6494ba770862768caf04b86",
        bytes: 8192,
    },
    RomInfo {
        name: "qbert",
        md5: "484b0076816a104875e00467d431c2d2",
        bytes: 4096,
    },
    RomInfo {
        name: "riverraid",
        md5: "393948436d1f4cc3192410bb918f9724",
        bytes: 4096,
    },
    RomInfo {
        name: "road_runner",
        md5: "ce5cc62608be2cd3ed8abd844efb8919",
        bytes: 16384,
    },
    RomInfo {
        name: "robotank",
        md5: "4f618c2429138e0280969193ed6c107e",
        bytes: 8192,
    },
    RomInfo {
        name: "seaquest",
        md5: "240bfbac5163af4df5ae713985386f92",
        bytes: 4096,
    },
    RomInfo {
        name: "sir_lancelot",
        md5: "dd0cbe5351551a538414fb9e37fc56e8",
        bytes: 8192,
    },
    RomInfo {
        name: "skiing",
        md5: "b76fbadc8ffb1f83e2ca08b6fb4d6c9f",
        bytes: 2048,
    },
    RomInfo {
        name: "solaris",
        md5: "e72eb8d4410152bdcb69e7fba327b420",
        bytes: 16384,
    },
    RomInfo {
        name: "space_invaders",
        md5: "72ffbef6504b75e69ee1045af9075f66",
        bytes: 4096,
    },
    RomInfo {
        name: "space_war",
        md5: "b702641d698c60bcdc922dbd8c9dd49c",
        bytes: 2048,
    },
    RomInfo {
        name: "star_gunner",
        md5: "a3c1c70024d7aabb41381adbfb6d3b25",
        bytes: 4096,
    },
    RomInfo {
        name: "superman",
        md5: "a9531c763077464307086ec9a1fd057d",
        bytes: 4096,
    },
    RomInfo {
        name: "surround",
        md5: "4d7517ae69f95cfbc053be01312b7dba",
        bytes: 2048,
    },
    RomInfo {
        name: "tennis",
        md5: "42cdd6a9e42a3639e190722b8ea3fc51",
        bytes: 2048,
    },
    RomInfo {
        name: "tetris",
        md5: "b0e1ee07fbc73493eac5651a52f90f00",
        bytes: 2048,
    },
    RomInfo {
        name: "tic_tac_toe_3d",
        md5: "0db4f4150fecf77e4ce72ca4d04c052f",
        bytes: 2048,
    },
    RomInfo {
        name: "time_pilot",
        md5: "fc2104dd2dadf9a6176c1c1c8f87ced9",
        bytes: 8192,
    },
    RomInfo {
        name: "trondead",
        md5: "fb27afe896e7c928089307b32e5642ee",
        bytes: 4096,
    },
    RomInfo {
        name: "turmoil",
        md5: "7a5463545dfb2dcfdafa6074b2f2c15e",
        bytes: 4096,
    },
    RomInfo {
        name: "tutankham",
        md5: "085322bae40d904f53bdcc56df0593fc",
        bytes: 8192,
    },
    RomInfo {
        name: "up_n_down",
        md5: "a499d720e7ee35c62424de882a3351b6",
        bytes: 8192,
    },
    RomInfo {
        name: "venture",
        md5: "3e899eba0ca8cd2972da1ae5479b4f0d",
        bytes: 4096,
    },
    RomInfo {
        name: "video_checkers",
        md5: "539d26b6e9df0da8e7465f0f5ad863b7",
        bytes: 4096,
    },
    RomInfo {
        name: "video_chess",
        md5: "f0b7db930ca0e548c41a97160b9f6275",
        bytes: 4096,
    },
    RomInfo {
        name: "video_cube",
        md5: "3f540a30fdee0b20aed7288e4a5ea528",
        bytes: 4096,
    },
    RomInfo {
        name: "video_pinball",
        md5: "107cc025334211e6d29da0b6be46aec7",
        bytes: 4096,
    },
    RomInfo {
        name: "warlords",
        md5: "cbe5a166550a8129a5e6d374901dffad",
        bytes: 4096,
    },
    RomInfo {
        name: "wizard_of_wor",
        md5: "7e8aa18bc9502eb57daaf5e7c1e94da7",
        bytes: 4096,
    },
    RomInfo {
        name: "word_zapper",
        md5: "ec3beb6d8b5689e867bafb5d5f507491",
        bytes: 4096,
    },
    RomInfo {
        name: "yars_revenge",
        md5: "c5930d0e8cdae3e037349bfa08e871be",
        bytes: 4096,
    },
    RomInfo {
        name: "zaxxon",
        md5: "eea0da9b987d661264cce69a7c13c3bd",
        bytes: 8192,
    },
];

/// Lower-case hex MD5 of `bytes`.
pub fn md5_hex(bytes: &[u8]) -> String {
    let digest = Md5::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The table row with this MD5.
pub fn info_by_md5(md5: &str) -> Option<&'static RomInfo> {
    let md5 = md5.to_ascii_lowercase();
    ROM_TABLE.iter().find(|r| r.md5 == md5)
}

/// The table row with this ROM name.
pub fn info_by_name(name: &str) -> Option<&'static RomInfo> {
    ROM_TABLE.iter().find(|r| r.name == name)
}

/// A ROM ready to load: its bytes and, when known, ALE's name for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rom {
    /// ALE's ROM name (from the table, or the file stem for an unknown dump).
    pub name: String,
    /// MD5 of `bytes`.
    pub md5: String,
    /// The cartridge image.
    pub bytes: Vec<u8>,
}

impl Rom {
    /// Wraps ROM bytes, naming them from the table by MD5, or `fallback_name` (ALE
    /// also matches settings by file stem).
    pub fn from_bytes(bytes: Vec<u8>, fallback_name: Option<&str>) -> Result<Rom, AleError> {
        let md5 = md5_hex(&bytes);
        let name = match (info_by_md5(&md5), fallback_name) {
            (Some(info), _) => info.name.to_string(),
            (None, Some(n)) => n.to_ascii_lowercase(),
            (None, None) => return Err(AleError::UnknownMd5(md5)),
        };
        Ok(Rom { name, md5, bytes })
    }

    /// Reads a ROM file; the file stem names it if its MD5 is unknown.
    pub fn from_path(path: &Path) -> Result<Rom, AleError> {
        let bytes = std::fs::read(path).map_err(|source| AleError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let stem = path.file_stem().and_then(|s| s.to_str());
        Rom::from_bytes(bytes, stem)
    }
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// ROM names copied into the registry.
    pub imported: Vec<String>,
    /// Files whose MD5 is not in the table (left alone).
    pub unknown: Vec<PathBuf>,
}

/// A folder of ROMs named `<name>.bin`, each checked against the table by MD5.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RomRegistry {
    dir: PathBuf,
}

impl RomRegistry {
    /// A registry in `dir` (created on first import).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The default registry folder: `$ARCADIA_ROMS`, else `~/.local/share/arcadia/roms`
    /// (`./arcadia-roms` when no home is known).
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("ARCADIA_ROMS").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local/share/arcadia/roms"),
            None => PathBuf::from("arcadia-roms"),
        }
    }

    /// The registry in [`RomRegistry::default_dir`].
    pub fn open_default() -> Self {
        Self::new(Self::default_dir())
    }

    /// The registry folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn io(path: &Path, source: std::io::Error) -> AleError {
        AleError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// Copies every known ROM found in `src` (recursively) into the registry.
    pub fn import_dir(&self, src: &Path) -> Result<ImportReport, AleError> {
        let mut report = ImportReport::default();
        let mut stack = vec![src.to_path_buf()];
        std::fs::create_dir_all(&self.dir).map_err(|e| Self::io(&self.dir, e))?;
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| Self::io(&dir, e))?;
            let mut paths: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for path in paths {
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                // ROMs are at most a few tens of KiB; skip anything large.
                let len = path.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
                if len > 1 << 20 {
                    continue;
                }
                let bytes = std::fs::read(&path).map_err(|e| Self::io(&path, e))?;
                match info_by_md5(&md5_hex(&bytes)) {
                    Some(info) => {
                        let dest = self.dir.join(format!("{}.bin", info.name));
                        std::fs::write(&dest, &bytes).map_err(|e| Self::io(&dest, e))?;
                        report.imported.push(info.name.to_string());
                    }
                    None => report.unknown.push(path),
                }
            }
        }
        report.imported.sort();
        report.imported.dedup();
        Ok(report)
    }

    /// The folder of ROMs bundled with the installed ale-py, found by asking `python3`.
    pub fn ale_py_rom_dir() -> Result<PathBuf, AleError> {
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import ale_py, os; print(os.path.dirname(ale_py.__file__))",
            ])
            .output()
            .map_err(|e| Self::io(Path::new("python3"), e))?;
        if !out.status.success() {
            return Err(AleError::Config(format!(
                "ale-py is not importable by python3: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok(PathBuf::from(dir).join("roms"))
    }

    /// Resolves like [`RomRegistry::resolve`], falling back to the ROMs bundled with an
    /// installed ale-py when the registry lacks the game (nothing is copied).
    pub fn resolve_or_ale_py(&self, name_or_path: &str) -> Result<Rom, AleError> {
        match self.resolve(name_or_path) {
            Ok(rom) => Ok(rom),
            Err(error @ AleError::Config(_)) => {
                let info = info_by_name(name_or_path).or_else(|| info_by_md5(name_or_path));
                let bundled = info.and_then(|info| {
                    let file = Self::ale_py_rom_dir()
                        .ok()?
                        .join(format!("{}.bin", info.name));
                    file.is_file().then_some(file)
                });
                match bundled {
                    Some(file) => Rom::from_path(&file),
                    None => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// Imports ale-py's bundled ROMs.
    pub fn import_ale_py(&self) -> Result<ImportReport, AleError> {
        self.import_dir(&Self::ale_py_rom_dir()?)
    }

    /// ROMs present in the registry, by MD5 (only files whose MD5 is in the table).
    pub fn list(&self) -> Result<BTreeMap<String, &'static RomInfo>, AleError> {
        let mut found = BTreeMap::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
            Err(e) => return Err(Self::io(&self.dir, e)),
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("bin") {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| Self::io(&path, e))?;
            let md5 = md5_hex(&bytes);
            if let Some(info) = info_by_md5(&md5) {
                found.insert(md5, info);
            }
        }
        Ok(found)
    }

    /// Resolves an existing file path, a ROM name (`"pong"`) or a ROM MD5 (32 hex
    /// digits) to the ROM's bytes.
    pub fn resolve(&self, name_or_path: &str) -> Result<Rom, AleError> {
        let path = Path::new(name_or_path);
        if path.is_file() {
            return Rom::from_path(path);
        }
        let info = info_by_name(name_or_path)
            .or_else(|| info_by_md5(name_or_path))
            .ok_or_else(|| AleError::UnknownGame(name_or_path.to_string()))?;
        let file = self.dir.join(format!("{}.bin", info.name));
        if !file.is_file() {
            return Err(AleError::Config(format!(
                "ROM `{}` is not in the registry {} (import it first, e.g. from ale-py's bundled ROMs)",
                info.name,
                self.dir.display()
            )));
        }
        let rom = Rom::from_path(&file)?;
        if rom.md5 != info.md5 {
            return Err(AleError::UnknownMd5(rom.md5));
        }
        Ok(rom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_the_108_ale_roms_with_unique_md5s() {
        assert_eq!(ROM_TABLE.len(), 108);
        let mut md5s: Vec<_> = ROM_TABLE.iter().map(|r| r.md5).collect();
        md5s.sort();
        md5s.dedup();
        assert_eq!(md5s.len(), 108);
        assert_eq!(info_by_name("pong").map(|r| r.bytes), Some(2048));
    }

    #[test]
    fn md5_matches_rfc_1321_vectors() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn unknown_bytes_need_a_name() {
        assert!(matches!(
            Rom::from_bytes(vec![1, 2, 3], None),
            Err(AleError::UnknownMd5(_))
        ));
        let rom = Rom::from_bytes(vec![1, 2, 3], Some("Pong")).unwrap();
        assert_eq!(rom.name, "pong");
    }

    #[test]
    fn registry_imports_known_files_and_resolves_names() {
        let tmp = std::env::temp_dir().join(format!("arcadia-ale-roms-{}", std::process::id()));
        let src = tmp.join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("junk.bin"), b"not a rom").unwrap();
        let reg = RomRegistry::new(tmp.join("reg"));
        let report = reg.import_dir(&src).unwrap();
        assert!(report.imported.is_empty());
        assert_eq!(report.unknown.len(), 1);
        assert!(reg.list().unwrap().is_empty());
        assert!(matches!(
            reg.resolve("no_such_game"),
            Err(AleError::UnknownGame(_))
        ));
        assert!(matches!(reg.resolve("pong"), Err(AleError::Config(_))));
        // A real import, when ale-py is installed.
        if let Ok(dir) = RomRegistry::ale_py_rom_dir()
            && dir.is_dir()
        {
            let report = reg.import_dir(&dir).unwrap();
            assert!(report.imported.iter().any(|n| n == "pong"));
            let rom = reg.resolve("pong").unwrap();
            assert_eq!(rom.md5, info_by_name("pong").unwrap().md5);
            assert!(reg.list().unwrap().contains_key(&rom.md5));
            assert_eq!(reg.resolve(&rom.md5).unwrap().name, "pong");
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
