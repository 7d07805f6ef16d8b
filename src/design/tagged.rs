//! Reading a TOML table tagged by its `op` field into a serde enum, with the
//! position of every key and value kept for errors.
//!
//! A design step is written `{ op = "debit", insufficient = "reply 402 x" }`:
//! serde calls that an internally tagged enum. serde's own support for that
//! form reads the table into an untyped buffer first, which drops TOML's
//! positions, so an error in one field could only point at the whole step.
//! Here the table is read with every key's and value's span, the tag picks
//! the variant, and the variant's fields are read straight from those values
//! (as serde reads an externally tagged enum). An error raised while reading
//! a key or a value carries that key's or value's span.
//!
//! The enum derives `Deserialize` as usual, with `#[schemars(tag = "op")]`
//! so that its JSON Schema describes the tagged form the files use.

use serde::de::value::{BoolDeserializer, F64Deserializer, I64Deserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// The field that names a table's variant.
const TAG: &str = "op";

/// A tagged table as read: the enum, or why it is not one and where.
///
/// Reading never fails on the enum's account, so that the loader reports the
/// error with its own file name and the span found here; TOML syntax errors
/// and a step that is not a table still fail as TOML errors.
#[derive(Debug)]
pub struct Tagged<T>(pub Result<T, FieldError>);

/// Why a tagged table is not a `T`, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// What is wrong.
    pub kind: FieldErrorKind,
    /// The key or value at fault; `None`: the table as a whole.
    pub span: Option<Range<usize>>,
}

/// What is wrong with a tagged table, as data; `Display` words it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldErrorKind {
    /// The table has no `op`.
    MissingTag {
        /// The variants there are.
        expected: &'static [&'static str],
    },
    /// `op` is not a string.
    TagNotText,
    /// `op` names no variant.
    UnknownVariant {
        variant: String,
        expected: &'static [&'static str],
    },
    /// A field the variant does not take.
    UnknownField {
        /// The variant, once known.
        variant: Option<String>,
        field: String,
        expected: &'static [&'static str],
    },
    /// Anything else serde or a field's own parser says, such as a value of
    /// the wrong type or a required field left out.
    Other(String),
}

impl FieldError {
    fn new(kind: FieldErrorKind) -> Self {
        FieldError { kind, span: None }
    }

    /// Points the error at `span` unless something nearer was found already.
    fn at(mut self, span: &Range<usize>) -> Self {
        if self.span.is_none() {
            self.span = Some(span.clone());
        }
        self
    }

    /// Names the variant in an unknown-field error raised inside it.
    fn in_variant(mut self, name: &str) -> Self {
        if let FieldErrorKind::UnknownField { variant, .. } = &mut self.kind
            && variant.is_none()
        {
            *variant = Some(name.to_string());
        }
        self
    }
}

/// `a, b or c`; `what` alone when the list is empty.
fn one_of(names: &[&str], none: &str) -> String {
    match names.split_last() {
        None => none.to_string(),
        Some((last, [])) => format!("`{last}`"),
        Some((last, rest)) => {
            let rest: Vec<String> = rest.iter().map(|n| format!("`{n}`")).collect();
            format!("{} or `{last}`", rest.join(", "))
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FieldErrorKind::MissingTag { expected } => {
                write!(f, "a step needs `{TAG}`, one of: {}", expected.join(", "))
            }
            FieldErrorKind::TagNotText => write!(f, "`{TAG}` is a step's name, a string"),
            FieldErrorKind::UnknownVariant { variant, expected } => write!(
                f,
                "unknown step `{variant}`; expected one of: {}",
                expected.join(", ")
            ),
            FieldErrorKind::UnknownField {
                variant,
                field,
                expected,
            } => {
                let step = variant.as_deref().unwrap_or("this");
                write!(
                    f,
                    "a `{step}` step takes no `{field}`; it takes {}",
                    one_of(expected, "nothing but `op`")
                )
            }
            FieldErrorKind::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for FieldError {}

impl de::Error for FieldError {
    fn custom<M: fmt::Display>(message: M) -> Self {
        FieldError::new(FieldErrorKind::Other(message.to_string()))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        FieldError::new(FieldErrorKind::UnknownField {
            variant: None,
            field: field.to_string(),
            expected,
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        FieldError::new(FieldErrorKind::UnknownVariant {
            variant: variant.to_string(),
            expected,
        })
    }
}

/// One `key = value` of the table, each with its span.
type Entry = (Spanned<String>, Spanned<toml::Value>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tagged<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries = deserializer.deserialize_map(EntriesVisitor)?;
        Ok(Tagged(T::deserialize(TaggedTable { entries })))
    }
}

/// Collects a table's entries with their spans, in file order.
struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Vec<Entry>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a step: a table with `{TAG}`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(entries)
    }
}

/// The table, presented to serde as an enum whose variant is the tag.
struct TaggedTable {
    entries: Vec<Entry>,
}

impl<'de> Deserializer<'de> for TaggedTable {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, FieldError> {
        Err(de::Error::custom("a tagged table is read only as an enum"))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        let mut entries = self.entries;
        let at = entries
            .iter()
            .position(|(key, _)| key.get_ref() == TAG)
            .ok_or(FieldError::new(FieldErrorKind::MissingTag {
                expected: variants,
            }))?;
        let (_, tag) = entries.remove(at);
        let span = tag.span();
        let toml::Value::String(name) = tag.into_inner() else {
            return Err(FieldError::new(FieldErrorKind::TagNotText).at(&span));
        };
        visitor.visit_enum(Variant {
            name,
            span,
            fields: entries,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// The variant a tag names, with the table's other fields.
struct Variant {
    name: String,
    span: Range<usize>,
    fields: Vec<Entry>,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = FieldError;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self), FieldError> {
        let name: StringDeserializer<FieldError> = self.name.clone().into_deserializer();
        let value = seed.deserialize(name).map_err(|e| e.at(&self.span))?;
        Ok((value, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant {
    type Error = FieldError;

    fn unit_variant(self) -> Result<(), FieldError> {
        match self.fields.first() {
            None => Ok(()),
            Some((key, _)) => Err(FieldError::new(FieldErrorKind::UnknownField {
                variant: Some(self.name.clone()),
                field: key.get_ref().clone(),
                expected: &[],
            })
            .at(&key.span())),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<S::Value, FieldError> {
        let name = self.name;
        seed.deserialize(Fields {
            entries: self.fields,
        })
        .map_err(|e| e.in_variant(&name))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value, FieldError> {
        Err(de::Error::custom("a tagged table holds no tuple variant"))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        let name = self.name;
        visitor
            .visit_map(FieldsAccess::new(self.fields))
            .map_err(|e| e.in_variant(&name))
    }
}

/// A variant's fields, read as a struct.
struct Fields {
    entries: Vec<Entry>,
}

impl<'de> Deserializer<'de> for Fields {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_map(FieldsAccess::new(self.entries))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Hands out the entries one by one; errors take the span of the key or
/// value being read.
struct FieldsAccess {
    entries: std::vec::IntoIter<Entry>,
    value: Option<Spanned<toml::Value>>,
}

impl FieldsAccess {
    fn new(entries: Vec<Entry>) -> Self {
        FieldsAccess {
            entries: entries.into_iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for FieldsAccess {
    type Error = FieldError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FieldError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let span = key.span();
        let name: StringDeserializer<FieldError> = key.into_inner().into_deserializer();
        seed.deserialize(name).map(Some).map_err(|e| e.at(&span))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, FieldError> {
        let value = self
            .value
            .take()
            .expect("serde reads a value only after its key");
        let span = value.span();
        seed.deserialize(FieldValue(value.into_inner()))
            .map_err(|e| e.at(&span))
    }
}

/// One field's value. Scalars go through serde's own deserializers so that
/// every error is a [`FieldError`]; a present field is `Some`.
struct FieldValue(toml::Value);

impl<'de> Deserializer<'de> for FieldValue {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        match self.0 {
            toml::Value::String(text) => StringDeserializer::new(text).deserialize_any(visitor),
            toml::Value::Boolean(b) => BoolDeserializer::new(b).deserialize_any(visitor),
            toml::Value::Integer(n) => I64Deserializer::new(n).deserialize_any(visitor),
            toml::Value::Float(x) => F64Deserializer::new(x).deserialize_any(visitor),
            other => other
                .deserialize_any(visitor)
                .map_err(|e| de::Error::custom(e.message())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "kebab-case", deny_unknown_fields)]
    enum Shape {
        Dot,
        Line { length_mm: u32 },
        Named(Name),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Name {
        name: String,
        hidden: Option<bool>,
    }

    #[derive(Deserialize)]
    struct File {
        shapes: Vec<Tagged<Shape>>,
    }

    fn read(text: &str) -> Vec<Result<Shape, FieldError>> {
        let file: File = toml::from_str(text).expect("well-formed TOML");
        file.shapes.into_iter().map(|t| t.0).collect()
    }

    /// The text a span covers.
    fn at<'a>(text: &'a str, e: &FieldError) -> &'a str {
        &text[e.span.clone().expect("a span")]
    }

    #[test]
    fn reads_each_kind_of_variant() {
        let shapes = read(
            r#"shapes = [{ op = "dot" }, { length_mm = 3, op = "line" }, { op = "named", name = "n" }]"#,
        );
        assert_eq!(
            shapes,
            [
                Ok(Shape::Dot),
                Ok(Shape::Line { length_mm: 3 }),
                Ok(Shape::Named(Name {
                    name: "n".into(),
                    hidden: None
                }))
            ]
        );
    }

    #[test]
    fn errors_point_at_the_key_or_value_at_fault() {
        let text = r#"shapes = [{ op = "square" }, { op = "line", length_mm = "long" }, { op = "dot", size = 1 }, { op = "named", name = "n", colour = 1 }, { op = 3 }]"#;
        let shapes = read(text);
        let errors: Vec<FieldError> = shapes.into_iter().map(|s| s.unwrap_err()).collect();
        assert!(matches!(
            &errors[0].kind,
            FieldErrorKind::UnknownVariant { variant, expected } if variant == "square" && expected.len() == 3
        ));
        assert_eq!(at(text, &errors[0]), "\"square\"");
        assert!(matches!(errors[1].kind, FieldErrorKind::Other(_)));
        assert_eq!(at(text, &errors[1]), "\"long\"");
        assert_eq!(
            errors[2].kind,
            FieldErrorKind::UnknownField {
                variant: Some("dot".into()),
                field: "size".into(),
                expected: &[]
            }
        );
        assert_eq!(at(text, &errors[2]), "size");
        assert!(matches!(
            &errors[3].kind,
            FieldErrorKind::UnknownField { variant: Some(v), field, .. } if v == "named" && field == "colour"
        ));
        assert_eq!(at(text, &errors[3]), "colour");
        assert_eq!(errors[4].kind, FieldErrorKind::TagNotText);
        assert_eq!(at(text, &errors[4]), "3");
    }

    #[test]
    fn a_missing_tag_or_field_points_at_the_table() {
        let shapes = read(r#"shapes = [{ length_mm = 3 }, { op = "line" }]"#);
        let errors: Vec<FieldError> = shapes.into_iter().map(|s| s.unwrap_err()).collect();
        assert!(matches!(errors[0].kind, FieldErrorKind::MissingTag { .. }));
        assert_eq!(errors[0].span, None);
        assert!(matches!(errors[1].kind, FieldErrorKind::Other(_)));
        assert_eq!(errors[1].span, None);
    }

    #[test]
    fn a_step_that_is_not_a_table_is_a_toml_error() {
        assert!(toml::from_str::<File>(r#"shapes = ["dot"]"#).is_err());
    }
}
