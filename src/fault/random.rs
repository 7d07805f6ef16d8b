//! Random faults: the form a kind takes when the seed, not the scenario,
//! decides where it strikes.
//!
//! A kind with a random form declares it here as a [`RandomForm`]: the
//! scenario field that sets its rate, the seed stream it draws from, the
//! rates swarm picks from, and how reports name it. The registry
//! ([`super::RANDOM_FORMS`]) lists every form once; its order is the order in
//! which swarm draws a profile, so that a seed's profile is the same from one
//! version to the next (a new form goes last). The scenario's rates, the
//! world's streams and swarm's profiles are all indexed by that registry,
//! so no other file lists the forms.

use super::{NetAction, RANDOM_FORMS};
use crate::api::Api;
use crate::error::{FieldPath, Problem};
use crate::limits;
use crate::ratio::Ratio;
use crate::scenario::{FaultWindow, Scenario};
use crate::vocab::wire::Point;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::LazyLock;

/// The table of a scenario file that holds a form's rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateTable {
    /// `[network]`: the network's own loss rate.
    Network,
    /// `[faults]`: every other rate.
    Faults,
}

/// How long a random fault of a form can outlast the heal, given the
/// scenario (for the liveness deadline).
pub type LastsMs = fn(&Scenario) -> u64;

/// A kind's random form.
#[derive(Debug)]
pub struct RandomForm {
    /// Its place in swarm's draw order, which also indexes the scenario's
    /// rates and the world's streams. What a seed draws depends on it: a new
    /// form takes the next free place, and no form ever moves.
    pub draw: usize,
    /// The field that sets its rate (`long_delay`), in `table`.
    pub rate_field: &'static str,
    pub table: RateTable,
    /// The label of the seed stream its decisions draw from. Changing it
    /// changes what every seed does.
    pub stream: &'static str,
    /// The rates a swarm profile draws from when the form is on.
    pub menu: &'static [(u32, u32)],
    /// How a profile names it (`long delay`).
    pub words: &'static str,
    /// What the rate means, for the scenario schema.
    pub doc: &'static str,
    /// Whether the scenario's API can suffer it at all; swarm keeps a form
    /// the API cannot meet off (see `Scenario::reaches`).
    pub in_reach: fn(&Scenario) -> bool,
    /// How long what it sets going can last past the heal.
    pub lasts_ms: LastsMs,
    /// What a strike does to a message at a point, for a form the network
    /// injector asks at every message after its own loss and holds (whose
    /// order within a message is fixed: see `world::net`); `None` for the
    /// forms the world decides at a place of their own.
    pub on_message: Option<OnMessage>,
    /// Why a scenario with this API may not set the rate, if it may not:
    /// the form stands for something the API has no part that could suffer.
    pub refuses: fn(&Api) -> Option<String>,
    /// Whether swarm turns the form on only for a scenario that sets its
    /// rate itself. A form added after seeds were recorded is opt-in, so that
    /// a swarm over an existing scenario runs every seed as it did before.
    pub opt_in: bool,
}

/// What a random fault does to a message the network carries at `point`
/// in `scenario`, if it acts on such a message at all.
pub type OnMessage = fn(point: Point, scenario: &Scenario) -> Option<NetAction>;

/// Rates for the messages of the network, per message.
pub const MESSAGE_RATES: &[(u32, u32)] = &[(1, 50), (1, 20), (1, 10), (1, 5)];
/// Rates for what the API meets at its step boundaries, per boundary.
pub const BOUNDARY_RATES: &[(u32, u32)] = &[(1, 50), (1, 20), (1, 10)];
/// Rates for the faults that strike rarely in real systems and hard when
/// they do (a message held for hours, a store crash, an outage).
pub const RARE_RATES: &[(u32, u32)] = &[(1, 100), (1, 50), (1, 20)];

/// Every form is in reach of every API unless it says otherwise.
pub fn always(_: &Scenario) -> bool {
    true
}

/// Every API may set the rate of most forms.
pub fn never_refused(_: &Api) -> Option<String> {
    None
}

/// A random hold, stall or outage lasts up to two client timeouts.
pub fn two_timeouts_ms(scenario: &Scenario) -> u64 {
    2 * scenario.retry.timeout_ms
}

/// What is over by the time the step that drew it ends.
pub fn instant_ms(_: &Scenario) -> u64 {
    0
}

/// The number of random forms.
pub const FORMS: usize = RANDOM_FORMS.len();

/// Where `form` is in the registry: its draw position and its index in
/// [`Rates`] and in the world's streams.
pub fn position(form: &RandomForm) -> usize {
    debug_assert!(std::ptr::eq(RANDOM_FORMS[form.draw], form));
    form.draw
}

/// `forms` at the draw positions they declare. Fails to compile unless
/// every position from 0 to the number of forms is taken exactly once.
pub(crate) const fn in_draw_order<const N: usize>(
    forms: [&'static RandomForm; N],
) -> [&'static RandomForm; N] {
    let mut placed: [Option<&'static RandomForm>; N] = [None; N];
    let mut i = 0;
    while i < N {
        let form = forms[i];
        assert!(
            form.draw < N,
            "a random form's draw position is past the last"
        );
        assert!(
            placed[form.draw].is_none(),
            "two random forms at one draw position"
        );
        placed[form.draw] = Some(form);
        i += 1;
    }
    let mut sorted = forms;
    let mut i = 0;
    while i < N {
        sorted[i] = match placed[i] {
            Some(form) => form,
            None => panic!("a draw position no random form takes"),
        };
        i += 1;
    }
    sorted
}

/// One rate per random form, in registry order. A form whose rate lives in
/// another table (`[network] loss`) keeps zero here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates([Ratio; FORMS]);

impl Default for Rates {
    fn default() -> Self {
        Rates::CALM
    }
}

impl Rates {
    /// Every rate zero.
    pub const CALM: Rates = Rates([Ratio::ZERO; FORMS]);

    pub fn get(&self, form: &RandomForm) -> Ratio {
        self.0[position(form)]
    }

    pub fn set(&mut self, form: &RandomForm, rate: Ratio) {
        self.0[position(form)] = rate;
    }

    /// The rate of the form whose field is `field` (`crash`), if any.
    pub fn named(&self, field: &str) -> Option<Ratio> {
        RANDOM_FORMS
            .iter()
            .find(|f| f.rate_field == field)
            .map(|f| self.get(f))
    }

    /// Sets the rate of the form whose field is `field`; false if none is.
    pub fn set_named(&mut self, field: &str, rate: Ratio) -> bool {
        match RANDOM_FORMS.iter().find(|f| f.rate_field == field) {
            Some(form) => {
                self.set(form, rate);
                true
            }
            None => false,
        }
    }

    /// Each form with its rate, in registry order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static RandomForm, Ratio)> + '_ {
        RANDOM_FORMS.iter().copied().zip(self.0.iter().copied())
    }

    /// True when every rate is zero.
    pub fn is_calm(&self) -> bool {
        self.0.iter().all(|r| r.is_zero())
    }
}

/// `[faults]` as a file writes it: the window, then each rate (the random
/// restart time right after the crash rate it goes with).
pub(crate) const HEAL_AT_MS: &str = "heal_at_ms";
pub(crate) const RESTART_AFTER_MS: &str = "restart_after_ms";

/// The fields of `[faults]`, in the order a file is written and an unknown
/// field's message lists them.
pub(crate) static WINDOW_FIELDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut fields = vec![HEAL_AT_MS];
    for form in window_forms() {
        fields.push(form.rate_field);
        if std::ptr::eq(form, &super::crash::API_CRASH) {
            fields.push(RESTART_AFTER_MS);
        }
    }
    fields
});

/// The first rate of `window` that `api` refuses, as a problem at its field.
pub(crate) fn refused_rate(
    window: &FaultWindow,
    api: &Api,
    faults: &FieldPath,
) -> Result<(), Problem> {
    for form in window_forms() {
        if window.rates.get(form).is_zero() {
            continue;
        }
        if let Some(why) = (form.refuses)(api) {
            return Err(Problem::new(faults.key(form.rate_field), why));
        }
    }
    Ok(())
}

/// The forms whose rate `[faults]` holds.
pub(crate) fn window_forms() -> impl Iterator<Item = &'static RandomForm> {
    RANDOM_FORMS
        .iter()
        .copied()
        .filter(|f| f.table == RateTable::Faults)
}

/// The form `[faults]` field `name` sets, if any.
fn window_form(name: &str) -> Option<&'static RandomForm> {
    window_forms().find(|f| f.rate_field == name)
}

/// Writes `[faults]` in [`WINDOW_FIELDS`] order. An opt-in form's rate
/// is written only when it is set, so that a scenario written back (a
/// repro) reads as it did before the form existed.
pub(crate) fn serialize_window<S: Serializer>(
    window: &FaultWindow,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    for &field in WINDOW_FIELDS.iter() {
        match field {
            HEAL_AT_MS => map.serialize_entry(field, &window.heal_at_ms)?,
            RESTART_AFTER_MS => map.serialize_entry(field, &window.restart_after_ms)?,
            rate => {
                let form = window_form(rate).expect("a window field is a rate");
                let rate = window.rates.get(form);
                if !(form.opt_in && rate.is_zero()) {
                    map.serialize_entry(field, &rate)?
                }
            }
        }
    }
    map.end()
}

/// Reads `[faults]`: every field optional (defaults from `defaults`), no
/// unknown field.
pub(crate) fn deserialize_window<'de, D: Deserializer<'de>>(
    deserializer: D,
    defaults: FaultWindow,
) -> Result<FaultWindow, D::Error> {
    struct WindowVisitor(FaultWindow);

    impl<'de> Visitor<'de> for WindowVisitor {
        type Value = FaultWindow;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("struct Faults")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FaultWindow, A::Error> {
            let mut window = self.0;
            let mut seen: Vec<String> = Vec::new();
            while let Some(name) = map.next_key::<String>()? {
                if seen.contains(&name) {
                    return Err(de::Error::custom(format_args!("duplicate field `{name}`")));
                }
                match name.as_str() {
                    HEAL_AT_MS => window.heal_at_ms = map.next_value()?,
                    RESTART_AFTER_MS => window.restart_after_ms = map.next_value()?,
                    other => match window_form(other) {
                        Some(form) => window.rates.set(form, map.next_value()?),
                        None => return Err(de::Error::unknown_field(other, &WINDOW_FIELDS)),
                    },
                }
                seen.push(name);
            }
            Ok(window)
        }
    }

    deserializer.deserialize_struct("Faults", &WINDOW_FIELDS, WindowVisitor(defaults))
}

/// The JSON Schema of `[faults]`: the window's two times and one rate per form.
pub(crate) fn window_schema(
    generator: &mut schemars::SchemaGenerator,
    defaults: &FaultWindow,
) -> schemars::Schema {
    let ratio = generator.subschema_for::<Ratio>();
    let mut properties = serde_json::Map::new();
    let mut names: Vec<&'static str> = WINDOW_FIELDS.clone();
    names.sort_unstable();
    for name in names {
        let property = match name {
            HEAL_AT_MS => serde_json::json!({
                "description": "Every fault acts before this time; none after. The liveness phase starts here.",
                "type": "integer",
                "format": "uint64",
                "default": defaults.heal_at_ms,
                "maximum": limits::MAX_SIM_MS,
                "minimum": 0
            }),
            RESTART_AFTER_MS => serde_json::json!({
                "description": "How long a randomly crashed host stays down.",
                "type": "integer",
                "format": "uint64",
                "default": defaults.restart_after_ms,
                "maximum": limits::MAX_TIMEOUT_MS,
                "minimum": 1
            }),
            rate => {
                let form = window_form(rate).expect("a window field is a rate");
                let mut property = serde_json::Map::new();
                property.insert("description".into(), form.doc.into());
                if let Some(object) = ratio.as_object() {
                    property.extend(object.clone());
                }
                property.insert(
                    "default".into(),
                    defaults.rates.get(form).to_string().into(),
                );
                serde_json::Value::Object(property)
            }
        };
        properties.insert(name.to_string(), property);
    }
    schemars::json_schema!({
        "description": "Random faults, and the window in which every fault acts.",
        "type": "object",
        "properties": properties,
        "additionalProperties": false
    })
}

impl Serialize for Rates {
    /// Each form's rate by its field name (`loss`, `crash`, …), in registry order.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(FORMS))?;
        for (form, rate) in self.iter() {
            map.serialize_entry(form.rate_field, &rate)?;
        }
        map.end()
    }
}
