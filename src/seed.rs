//! Every random choice comes from the scenario seed.
//!
//! Each consumer (the network, each client, the API's key generator, the crash
//! injector) takes its own ChaCha stream, chosen by a label, so that adding a
//! random choice in one place does not shift the choices made in another.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A stable 64-bit hash of a label (FNV-1a): the same on every machine and build.
fn label_hash(label: &str) -> u64 {
    label.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The random stream named `label` of the run with seed `seed`.
pub fn derive_rng(seed: u64, label: &str) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(label_hash(label));
    rng
}

/// A 64-bit seed for a component that takes one (turmoil's own RNG).
pub fn derive_seed(seed: u64, label: &str) -> u64 {
    use rand::Rng;
    derive_rng(seed, label).random()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_stable_and_distinct() {
        let a: u64 = derive_rng(7, "client-1").random();
        let b: u64 = derive_rng(7, "client-1").random();
        let c: u64 = derive_rng(7, "client-2").random();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
