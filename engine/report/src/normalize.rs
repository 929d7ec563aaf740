//! Human-normalized scores: `(score - random) / (human - random)`.
//!
//! The reference scores are the published per-game numbers of a random
//! agent and a human tester used by DQN, Rainbow, Agent57, DQN Zoo and
//! rliable (from Mnih et al. 2015 and Badia et al. 2020, as tabulated in
//! DeepMind's DQN Zoo `atari_data.py` and rliable's `atari_data`). Atari-100k
//! (Kaiser et al. 2020) uses the same numbers on its 26 games.

/// A benchmark whose reference scores normalize raw returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Benchmark {
    /// The 26 games of Atari 100k.
    #[value(name = "atari100k")]
    Atari100k,
    /// All 57 games of the Arcade Learning Environment benchmark.
    #[value(name = "atari57")]
    Atari57,
}

/// Reference scores of one game.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reference {
    /// Game name (snake_case, as in ALE's ROM names).
    pub game: &'static str,
    /// Score of the uniformly random agent.
    pub random: f64,
    /// Score of the human tester.
    pub human: f64,
}

/// A task the benchmark has no reference for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "task `{task}` is not a {benchmark} game, so its score cannot be normalized (known games: {known})"
)]
pub struct UnknownTask {
    /// The task name as given.
    pub task: String,
    /// The benchmark's name.
    pub benchmark: &'static str,
    /// Comma-separated known games.
    pub known: String,
}

/// (game, random, human) for the 57 Atari games. Source: DQN Zoo
/// `dqn_zoo/atari_data.py` (identical to rliable's `atari_data`), from
/// Mnih et al. 2015 (Nature) and Badia et al. 2020 (Agent57).
const ATARI_57: [(&str, f64, f64); 57] = [
    ("alien", 227.8, 7127.7),
    ("amidar", 5.8, 1719.5),
    ("assault", 222.4, 742.0),
    ("asterix", 210.0, 8503.3),
    ("asteroids", 719.1, 47388.7),
    ("atlantis", 12850.0, 29028.1),
    ("bank_heist", 14.2, 753.1),
    ("battle_zone", 2360.0, 37187.5),
    ("beam_rider", 363.9, 16926.5),
    ("berzerk", 123.7, 2630.4),
    ("bowling", 23.1, 160.7),
    ("boxing", 0.1, 12.1),
    ("breakout", 1.7, 30.5),
    ("centipede", 2090.9, 12017.0),
    ("chopper_command", 811.0, 7387.8),
    ("crazy_climber", 10780.5, 35829.4),
    ("defender", 2874.5, 18688.9),
    ("demon_attack", 152.1, 1971.0),
    ("double_dunk", -18.6, -16.4),
    ("enduro", 0.0, 860.5),
    ("fishing_derby", -91.7, -38.7),
    ("freeway", 0.0, 29.6),
    ("frostbite", 65.2, 4334.7),
    ("gopher", 257.6, 2412.5),
    ("gravitar", 173.0, 3351.4),
    ("hero", 1027.0, 30826.4),
    ("ice_hockey", -11.2, 0.9),
    ("jamesbond", 29.0, 302.8),
    ("kangaroo", 52.0, 3035.0),
    ("krull", 1598.0, 2665.5),
    ("kung_fu_master", 258.5, 22736.3),
    ("montezuma_revenge", 0.0, 4753.3),
    ("ms_pacman", 307.3, 6951.6),
    ("name_this_game", 2292.3, 8049.0),
    ("phoenix", 761.4, 7242.6),
    ("pitfall", -229.4, 6463.7),
    ("pong", -20.7, 14.6),
    ("private_eye", 24.9, 69571.3),
    ("qbert", 163.9, 13455.0),
    ("riverraid", 1338.5, 17118.0),
    ("road_runner", 11.5, 7845.0),
    ("robotank", 2.2, 11.9),
    ("seaquest", 68.4, 42054.7),
    ("skiing", -17098.1, -4336.9),
    ("solaris", 1236.3, 12326.7),
    ("space_invaders", 148.0, 1668.7),
    ("star_gunner", 664.0, 10250.0),
    ("surround", -10.0, 6.5),
    ("tennis", -23.8, -8.3),
    ("time_pilot", 3568.0, 5229.2),
    ("tutankham", 11.4, 167.6),
    ("up_n_down", 533.4, 11693.2),
    ("venture", 0.0, 1187.5),
    ("video_pinball", 16256.9, 17667.9),
    ("wizard_of_wor", 563.5, 4756.5),
    ("yars_revenge", 3092.9, 54576.9),
    ("zaxxon", 32.5, 9173.3),
];

/// The 26 games of Atari 100k (Kaiser et al. 2020, "Model-Based
/// Reinforcement Learning for Atari"); references as in [`ATARI_57`].
const ATARI_100K: [&str; 26] = [
    "alien",
    "amidar",
    "assault",
    "asterix",
    "bank_heist",
    "battle_zone",
    "boxing",
    "breakout",
    "chopper_command",
    "crazy_climber",
    "demon_attack",
    "freeway",
    "frostbite",
    "gopher",
    "hero",
    "jamesbond",
    "kangaroo",
    "krull",
    "kung_fu_master",
    "ms_pacman",
    "pong",
    "private_eye",
    "qbert",
    "road_runner",
    "seaquest",
    "up_n_down",
];

/// Canonical key of a game name: lowercase letters and digits only, with
/// Gym/ALE decorations removed, so `MsPacmanNoFrameskip-v4`, `ALE/MsPacman-v5`,
/// `ms_pacman` and `MsPacman` all match.
pub fn game_key(name: &str) -> String {
    let mut s = name.trim().to_ascii_lowercase();
    if let Some(rest) = s.strip_prefix("ale/") {
        s = rest.to_string();
    }
    for suffix in ["-v0", "-v4", "-v5"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
        }
    }
    for suffix in ["noframeskip", "deterministic"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
        }
    }
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

impl Benchmark {
    /// Name as written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Benchmark::Atari100k => "atari100k",
            Benchmark::Atari57 => "atari57",
        }
    }

    /// The benchmark's games with their references, in alphabetical order.
    pub fn references(self) -> Vec<Reference> {
        ATARI_57
            .iter()
            .filter(|(g, _, _)| self == Benchmark::Atari57 || ATARI_100K.contains(g))
            .map(|&(game, random, human)| Reference {
                game,
                random,
                human,
            })
            .collect()
    }

    /// The reference scores of a game, matched by [`game_key`].
    pub fn reference(self, task: &str) -> Option<Reference> {
        let key = game_key(task);
        self.references()
            .into_iter()
            .find(|r| game_key(r.game) == key)
    }

    /// Human-normalized score of `score` on `task`.
    pub fn normalize(self, task: &str, score: f64) -> Result<f64, UnknownTask> {
        let r = self.reference(task).ok_or_else(|| UnknownTask {
            task: task.to_string(),
            benchmark: self.name(),
            known: self
                .references()
                .iter()
                .map(|r| r.game)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        Ok((score - r.random) / (r.human - r.random))
    }

    /// Threshold grid for performance profiles of normalized scores
    /// (rliable's Atari grid, `linspace(0, 8, 81)`).
    pub fn tau_grid(self) -> Vec<f64> {
        crate::stats::linspace(0.0, 8.0, 81)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_published_sizes() {
        assert_eq!(Benchmark::Atari57.references().len(), 57);
        assert_eq!(Benchmark::Atari100k.references().len(), 26);
    }

    #[test]
    fn human_scores_exceed_random_scores() {
        for r in Benchmark::Atari57.references() {
            assert!(r.human > r.random, "{}", r.game);
        }
    }

    #[test]
    fn normalization_maps_random_to_zero_and_human_to_one() {
        let b = Benchmark::Atari100k;
        assert_eq!(b.normalize("pong", -20.7).unwrap(), 0.0);
        assert_eq!(b.normalize("PongNoFrameskip-v4", 14.6).unwrap(), 1.0);
        let ms = b
            .normalize("ALE/MsPacman-v5", 307.3 + (6951.6 - 307.3) / 2.0)
            .unwrap();
        assert!((ms - 0.5).abs() < 1e-12);
    }

    #[test]
    fn atari100k_rejects_games_outside_the_subset() {
        let e = Benchmark::Atari100k.normalize("skiing", 0.0).unwrap_err();
        assert!(e.to_string().contains("skiing"), "{e}");
        assert!(Benchmark::Atari57.normalize("skiing", -17098.1).is_ok());
        assert!(Benchmark::Atari57.normalize("not_a_game", 1.0).is_err());
    }

    #[test]
    fn published_values_spot_check() {
        let r = Benchmark::Atari57.reference("private_eye").unwrap();
        assert_eq!((r.random, r.human), (24.9, 69571.3));
        let r = Benchmark::Atari100k.reference("crazy_climber").unwrap();
        assert_eq!((r.random, r.human), (10780.5, 35829.4));
    }
}
