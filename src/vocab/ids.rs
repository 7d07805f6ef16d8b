//! Ids: transfers, clients and accounts by their position in a scenario.

use std::fmt;

/// A transfer, by its position in the scenario (`t1` is 0 unless renamed).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct TransferIx(pub u32);

/// A client host, by position (`client-1` is 0).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct ClientIx(pub u32);

impl fmt::Display for ClientIx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client-{}", self.0 + 1)
    }
}

/// An account, by position in the scenario's accounts sorted by name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct AccountIx(pub u32);
