//! Every committed actor-critic preset in `assets/agents` parses and validates.

use std::path::PathBuf;

use arcadia_actor_critic::prelude::*;
use arcadia_engine::config::load_ron;

fn assets() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/agents")
}

#[test]
fn committed_presets_parse_and_validate() {
    let mut seen = 0;
    for entry in std::fs::read_dir(assets()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let config = if name.starts_with("mt_sac") {
            ActorCriticConfig::MtSac(load_ron(&path).unwrap_or_else(|e| panic!("{e}")))
        } else if name.starts_with("sac") {
            ActorCriticConfig::Sac(load_ron(&path).unwrap_or_else(|e| panic!("{e}")))
        } else if name.starts_with("ppo") {
            ActorCriticConfig::Ppo(load_ron(&path).unwrap_or_else(|e| panic!("{e}")))
        } else {
            continue;
        };
        config.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        seen += 1;
    }
    assert!(seen >= 8, "found {seen} presets");
}

#[test]
fn the_published_sac_preset_is_the_code_default_and_mt_sac_uses_task_heads() {
    let sac: SacConfig = load_ron(&assets().join("sac_metaworld.ron")).unwrap();
    assert_eq!(sac, SacConfig::default());
    let mt: MtSacConfig = load_ron(&assets().join("mt_sac_mt10.ron")).unwrap();
    assert_eq!(mt, MtSacConfig::default());
    let run = mt.sac();
    assert!(run.task_heads && run.task_one_hot_input);
    assert_eq!(run.critic_hidden, vec![1024; 3]);
}

#[test]
fn the_cale_presets_use_the_pixel_encoder_and_dopamines_values() {
    use arcadia_actor_critic::encoder::EncoderConfig;
    let sac: SacConfig = load_ron(&assets().join("sac_cale.ron")).unwrap();
    assert_eq!(sac.encoder, EncoderConfig::NatureCnn { projection: 512 });
    assert_eq!(
        (sac.reward_scale, sac.target_entropy, sac.batch_size),
        (0.1, Some(-1.5), 32)
    );
    assert!(sac.actor_hidden.is_empty() && sac.critic_hidden.is_empty());
    let ppo: PpoConfig = load_ron(&assets().join("ppo_cale.ron")).unwrap();
    assert_eq!(ppo.encoder, EncoderConfig::NatureCnn { projection: 512 });
    assert_eq!((ppo.epochs, ppo.clip, ppo.entropy_coef), (3, 0.1, 0.01));
    let err = arcadia_engine::config::parse_ron::<SacConfig>(
        "(encoder: NatureCnn(projection: 0))",
        std::path::Path::new("e.ron"),
    )
    .map_err(|e| e.to_string())
    .and_then(|c| c.validate());
    assert!(err.unwrap_err().contains("projection"));
}

#[test]
fn out_of_range_values_are_reported_at_their_line() {
    let text = "(\n  gamma: 1.5,\n)";
    let err = arcadia_engine::config::parse_ron::<SacConfig>(text, std::path::Path::new("x.ron"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("x.ron:2:") && err.contains("probability"),
        "{err}"
    );
    let err = arcadia_engine::config::parse_ron::<PpoConfig>(
        "(epochs: 0)",
        std::path::Path::new("p.ron"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains(">= 1"), "{err}");
    let err = arcadia_engine::config::parse_ron::<SacConfig>(
        "(no_such_field: 1)",
        std::path::Path::new("s.ron"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no_such_field"), "{err}");
}
