//! The invariants' stable names: what scenario files expect, what reports
//! print and what CI output greps for (a contract). The checker of each is
//! in `crate::check`, matched exhaustively there.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Lists the invariants once: their stable names and their docs (which the
/// JSON Schema shows).
macro_rules! invariants {
    ($( $(#[$doc:meta])* $variant:ident($name:literal) ),* $(,)?) => {
        /// The stable name of an invariant.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
        )]
        #[schemars(rename = "ViolationName")]
        pub enum ViolationKind {
            $( $(#[$doc])* #[serde(rename = $name)] $variant ),*
        }

        impl ViolationKind {
            /// Every invariant, in the order reports list them.
            pub const ALL: &'static [ViolationKind] = &[ $( ViolationKind::$variant ),* ];

            /// The stable name (`double-apply`).
            pub fn name(self) -> &'static str {
                match self { $( ViolationKind::$variant => $name ),* }
            }
        }
    };
}

invariants! {
    /// One transfer intent changed balances more than once.
    DoubleApply("double-apply"),
    /// The client was told success but balances never changed; or the intent
    /// never applied although the client kept retrying after the faults healed.
    LostApply("lost-apply"),
    /// The sum of balances changed, or a debit exists without its credit.
    MoneyNotConserved("money-not-conserved"),
    /// Two answers for the same key and payload disagree.
    InconsistentReplay("inconsistent-replay"),
    /// A key reused with a different payload was processed instead of refused.
    MismatchAccepted("mismatch-accepted"),
    /// After the faults stopped, a key never reached a final state or the
    /// client never learned the outcome.
    StuckKey("stuck-key"),
    /// The client was told a definitive failure, yet the transfer's money moved.
    PhantomApply("phantom-apply"),
}

impl std::str::FromStr for ViolationKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ViolationKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = ViolationKind::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "`{}` is not an invariant; expected one of: {}",
                    text.escape_debug(),
                    names.join(", ")
                )
            })
    }
}
