//! The greedy baseline on the default task, 200 seeded episodes through the env directly
//! (run with `--nocapture` to see the numbers the README quotes).

use arcadia_stem::bench::{Controller, evaluate};
use arcadia_stem::config::StemConfig;

#[test]
fn greedy_beats_random_on_the_default_task() {
    let config = StemConfig::default();
    let greedy = evaluate(&config, Controller::Greedy, 200, 7).unwrap();
    let random = evaluate(&config, Controller::Random, 200, 7).unwrap();
    println!("greedy: {greedy:?}");
    println!("random: {random:?}");
    assert_eq!(greedy.episodes, 200);
    assert!(
        greedy.success_rate > 0.9,
        "greedy success {}",
        greedy.success_rate
    );
    assert!(greedy.success_rate > random.success_rate);
    let (g, r) = (
        greedy.median_seconds_to_goal.unwrap(),
        random.median_seconds_to_goal.unwrap_or(f64::INFINITY),
    );
    assert!(g < r, "greedy median {g} s, random {r} s");
    // Deterministic per seed.
    assert_eq!(
        evaluate(&config, Controller::Greedy, 20, 7).unwrap(),
        evaluate(&config, Controller::Greedy, 20, 7).unwrap()
    );
}
