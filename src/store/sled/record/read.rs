//! serde reads a record straight from the compact form, as `serde_json` reads JSON.

use serde::de::{self, Deserialize, IntoDeserializer, Unexpected, Visitor};

use super::{
    slack_ts_text, take_varint, time_text, Failed, ARRAY, FALSE, FLOAT, HEX, MAX_DEPTH, NEG, NULL, OBJECT, SLACK_TS,
    STR, TIME, TRUE, UINT, WORD, WORDS,
};

/// A record's bytes after its version, read from the front.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
    depth: u32,
}

impl<'a> Reader<'a> {
    pub(super) fn new(rest: &'a [u8]) -> Self {
        Reader { rest, depth: 0 }
    }

    /// The record's one value; bytes after its end are refused.
    pub(super) fn whole<T: Deserialize<'a>>(mut self) -> Result<T, String> {
        let value = T::deserialize(&mut self).map_err(|e| e.0)?;
        if !self.rest.is_empty() {
            return Err("compact record: bytes after its end".into());
        }
        Ok(value)
    }

    fn byte(&mut self) -> Result<u8, String> {
        let (&b, rest) = self.rest.split_first().ok_or("compact record: cut short")?;
        self.rest = rest;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        take_varint(&mut self.rest).ok_or_else(|| "compact record: a number cut short or too long".into())
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let len = self.varint()?;
        let len = usize::try_from(len).map_err(|_| "compact record: length")?;
        let (piece, rest) = self.rest.split_at_checked(len).ok_or("compact record: cut short")?;
        self.rest = rest;
        Ok(piece)
    }

    fn word(&mut self, at: u64) -> Result<&'static str, String> {
        usize::try_from(at)
            .ok()
            .and_then(|at| WORDS.get(at))
            .copied()
            .ok_or_else(|| "compact record: unknown word".into())
    }

    fn count(&mut self) -> Result<usize, String> {
        // Every item takes at least one byte: a count beyond the rest is corrupt.
        let n = self.varint()?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.rest.len())
            .ok_or_else(|| "compact record: count".into())
    }

    /// The next string, whichever way it was packed.
    fn string(&mut self, tag: u8) -> Result<Text<'a>, String> {
        Ok(match tag {
            STR => Text::Borrowed(std::str::from_utf8(self.bytes()?).map_err(|_| "compact record: not UTF-8")?),
            WORD => {
                let at = self.varint()?;
                Text::Borrowed(self.word(at)?)
            }
            TIME => {
                let z = self.varint()?;
                let secs = (z >> 1) as i64 ^ -((z & 1) as i64);
                let nanos = u32::try_from(self.varint()?).map_err(|_| "compact record: time")?;
                Text::Owned(time_text(secs, nanos).ok_or("compact record: time")?)
            }
            SLACK_TS => {
                let secs = self.varint()?;
                let micros = u32::try_from(self.varint()?).map_err(|_| "compact record: ts")?;
                Text::Owned(slack_ts_text(secs, micros))
            }
            HEX => {
                const DIGITS: &[u8; 16] = b"0123456789abcdef";
                let raw = self.bytes()?;
                let mut hex = String::with_capacity(raw.len() * 2);
                for b in raw {
                    hex.push(char::from(DIGITS[usize::from(b >> 4)]));
                    hex.push(char::from(DIGITS[usize::from(b & 15)]));
                }
                Text::Owned(hex)
            }
            _ => return Err("compact record: unknown tag".into()),
        })
    }

    /// A field's name: 0 and the name, or the word's place plus one.
    fn key(&mut self) -> Result<&'a str, String> {
        match self.varint()? {
            0 => std::str::from_utf8(self.bytes()?).map_err(|_| "compact record: not UTF-8".into()),
            at => self.word(at - 1),
        }
    }

    /// Reads an array's or an object's count and enters it, refusing nesting beyond the limit.
    fn enter(&mut self) -> Result<usize, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("compact record: nested too deep".into());
        }
        self.count()
    }
}

/// A string as a record holds it: in the record's bytes, or rebuilt from its packed form.
enum Text<'a> {
    Borrowed(&'a str),
    Owned(String),
}

impl<'a> Text<'a> {
    fn visit<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed>
    where
        'a: 'de,
    {
        match self {
            Text::Borrowed(s) => visitor.visit_borrowed_str(s),
            Text::Owned(s) => visitor.visit_string(s),
        }
    }
}

/// serde reads the compact form straight from its bytes, as `serde_json` reads JSON: the same
/// values reach the same visitors (options, newtypes and enums included), so every serde
/// attribute of the model behaves as with JSON, and no JSON text is written to be parsed again.
impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = Failed;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        match self.byte()? {
            NULL => visitor.visit_unit(),
            FALSE => visitor.visit_bool(false),
            TRUE => visitor.visit_bool(true),
            UINT => visitor.visit_u64(self.varint()?),
            NEG => visitor.visit_i64(!self.varint()? as i64),
            FLOAT => {
                let (raw, rest) = self.rest.split_at_checked(8).ok_or("compact record: cut short")?;
                self.rest = rest;
                let f = f64::from_be_bytes(raw.try_into().map_err(|_| "compact record: float")?);
                // JSON has no NaN or infinity, and no record was written with one.
                if !f.is_finite() {
                    return Err("compact record: float".into());
                }
                visitor.visit_f64(f)
            }
            ARRAY => {
                let mut items = Items::enter(self)?;
                let value = visitor.visit_seq(&mut items)?;
                items.end()?;
                Ok(value)
            }
            OBJECT => {
                let mut fields = Items::enter(self)?;
                let value = visitor.visit_map(&mut fields)?;
                fields.end()?;
                Ok(value)
            }
            tag => self.string(tag)?.visit(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        if self.rest.first() == Some(&NULL) {
            self.rest = &self.rest[1..];
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Failed> {
        visitor.visit_newtype_struct(self)
    }

    /// As in JSON: a unit variant is its name, any other variant an object of one field.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Failed> {
        match self.byte()? {
            OBJECT => {
                let mut field = Items::enter(self)?;
                if field.remaining != 1 {
                    return Err("compact record: an enum's object holds one field".into());
                }
                let value = visitor.visit_enum(Variant { r: &mut *field.r })?;
                field.remaining = 0;
                field.end()?;
                Ok(value)
            }
            tag => match self.string(tag)? {
                Text::Borrowed(name) => visitor.visit_enum(name.into_deserializer()),
                Text::Owned(name) => visitor.visit_enum(name.into_deserializer()),
            },
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An array's items or an object's fields, `remaining` of them left to read.
struct Items<'r, 'de> {
    r: &'r mut Reader<'de>,
    remaining: usize,
}

impl<'r, 'de> Items<'r, 'de> {
    fn enter(r: &'r mut Reader<'de>) -> Result<Self, Failed> {
        let remaining = r.enter()?;
        Ok(Items { r, remaining })
    }

    /// Leaves the array or object, refusing one whose visitor stopped before its last item.
    fn end(self) -> Result<(), Failed> {
        if self.remaining > 0 {
            return Err("compact record: items left unread".into());
        }
        self.r.depth -= 1;
        Ok(())
    }
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Failed;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Failed> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        seed.deserialize(&mut *self.r).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.remaining)
    }
}

impl<'de> de::MapAccess<'de> for Items<'_, 'de> {
    type Error = Failed;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Failed> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        seed.deserialize(Key(self.r.key()?)).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Failed> {
        seed.deserialize(&mut *self.r)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.remaining)
    }
}

/// An object's field name, read as `serde_json` reads a JSON object's keys: a string, or the
/// number it spells where the map's keys are numbers.
struct Key<'de>(&'de str);

macro_rules! key_as_number {
    ($($method:ident => $visit:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
            match self.0.parse() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(de::Error::invalid_type(Unexpected::Str(self.0), &visitor)),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Key<'de> {
    type Error = Failed;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        visitor.visit_borrowed_str(self.0)
    }

    key_as_number!(
        deserialize_i8 => visit_i8, deserialize_i16 => visit_i16, deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64, deserialize_u8 => visit_u8, deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32, deserialize_u64 => visit_u64
    );

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Failed> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Failed> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Failed> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// The one field of an enum's object: the variant's name, then what it holds.
struct Variant<'r, 'de> {
    r: &'r mut Reader<'de>,
}

impl<'r, 'de> de::EnumAccess<'de> for Variant<'r, 'de> {
    type Error = Failed;
    type Variant = Self;

    fn variant_seed<V: de::DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Failed> {
        let name = seed.deserialize(Key(self.r.key()?))?;
        Ok((name, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Failed;

    fn unit_variant(self) -> Result<(), Failed> {
        <()>::deserialize(&mut *self.r)
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Failed> {
        seed.deserialize(&mut *self.r)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Failed> {
        de::Deserializer::deserialize_seq(&mut *self.r, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, Failed> {
        de::Deserializer::deserialize_map(&mut *self.r, visitor)
    }
}
