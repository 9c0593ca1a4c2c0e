//! serde writes a record straight into the compact form, as `serde_json::to_value` would see it.
//!
//! The form is JSON's data model, so this serializer hands on what serde gives in the shape
//! `serde_json` gives it the same calls: options and newtypes as what they hold, a unit
//! variant as its name, any other variant as an object of one field, map keys as strings,
//! an object's fields in the order of their names. The bytes are those of the same value
//! built as a `serde_json::Value` first, which cost a map and a string for every field.

use std::borrow::Cow;

use serde::ser::{self, Serialize};

use super::{varint, write_key, write_str, Failed, ARRAY, FALSE, FLOAT, NEG, NULL, OBJECT, TRUE, UINT};

/// Writes `value` into `out`; `drop_nulls` leaves out every field of an object whose value is
/// null (each an `Option` serde reads back as None when missing).
pub(super) fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T, drop_nulls: bool) -> Result<(), Failed> {
    value.serialize(&mut Writer { out, drop_nulls })
}

struct Writer<'o> {
    out: &'o mut Vec<u8>,
    drop_nulls: bool,
}

impl Writer<'_> {
    fn uint(&mut self, n: u64) {
        self.out.push(UINT);
        varint(self.out, n);
    }

    fn int(&mut self, n: i64) {
        if n >= 0 {
            self.uint(n as u64);
        } else {
            self.out.push(NEG);
            varint(self.out, !(n as u64));
        }
    }

    /// Opens an array or an object whose count is known once its items are written.
    fn open(&mut self, tag: u8) -> Items<'_> {
        self.out.push(tag);
        let count_at = self.out.len();
        // One byte holds a count below 128; `close` makes room for a larger one.
        self.out.push(0);
        Items {
            w: Writer {
                out: self.out,
                drop_nulls: self.drop_nulls,
            },
            count_at,
            count: 0,
            fields: Vec::new(),
            in_order: true,
        }
    }

    /// Opens the object of one field, the variant's name, that holds what a variant holds.
    fn variant(&mut self, name: &str) {
        self.out.extend([OBJECT, 1]);
        write_key(self.out, name);
    }
}

/// An array's items or an object's fields being written, `count` of them so far; an object's
/// `fields` by name and where each starts, `in_order` while their names rise.
struct Items<'o> {
    w: Writer<'o>,
    count_at: usize,
    count: u64,
    fields: Vec<(Cow<'static, str>, usize)>,
    in_order: bool,
}

impl Items<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
        self.count += 1;
        value.serialize(&mut self.w)
    }

    /// A field: its name, then its value; left out when that is null and nulls are dropped.
    fn field<T: Serialize + ?Sized>(&mut self, name: Cow<'static, str>, value: &T) -> Result<(), Failed> {
        let from = self.w.out.len();
        write_key(self.w.out, &name);
        let value_at = self.w.out.len();
        value.serialize(&mut self.w)?;
        if self.w.drop_nulls && self.w.out[value_at..] == [NULL] {
            self.w.out.truncate(from);
        } else {
            self.count += 1;
            if self.fields.last().is_some_and(|(last, _)| *last > name) {
                self.in_order = false;
            }
            self.fields.push((name, from));
        }
        Ok(())
    }

    /// Puts an object's fields in the order of their names, as `serde_json`'s map holds them,
    /// and writes the count where `open` left it room.
    ///
    /// The order is the one records were always stored in. It matters beyond reading back:
    /// sled logs a changed value as an edit of the old one (vendored sled, item 11), and
    /// writing the fields as declared instead put the fields that change with a delivery
    /// where those edits come out larger (+0.5-0.7 KB written per open in the bench).
    fn close(self) -> Result<(), Failed> {
        if !self.in_order {
            let start = self.fields[0].1;
            let written = self.w.out.split_off(start);
            let ends: Vec<usize> = self
                .fields
                .iter()
                .skip(1)
                .map(|(_, at)| at - start)
                .chain([written.len()])
                .collect();
            let mut order: Vec<usize> = (0..self.fields.len()).collect();
            order.sort_by(|a, b| self.fields[*a].0.cmp(&self.fields[*b].0));
            for i in order {
                let from = self.fields[i].1 - start;
                self.w.out.extend_from_slice(&written[from..ends[i]]);
            }
        }
        if self.count < 0x80 {
            self.w.out[self.count_at] = self.count as u8;
        } else {
            let mut count = Vec::with_capacity(10);
            varint(&mut count, self.count);
            self.w.out.splice(self.count_at..=self.count_at, count);
        }
        Ok(())
    }
}

macro_rules! unsigned {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, n: $t) -> Result<(), Failed> {
            self.uint(n.into());
            Ok(())
        }
    )*};
}

macro_rules! signed {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, n: $t) -> Result<(), Failed> {
            self.int(n.into());
            Ok(())
        }
    )*};
}

impl<'a, 'o> ser::Serializer for &'a mut Writer<'o> {
    type Ok = ();
    type Error = Failed;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = Items<'a>;
    type SerializeTupleVariant = Items<'a>;
    type SerializeMap = Fields<'a>;
    type SerializeStruct = Items<'a>;
    type SerializeStructVariant = Items<'a>;

    fn serialize_bool(self, b: bool) -> Result<(), Failed> {
        self.out.push(if b { TRUE } else { FALSE });
        Ok(())
    }

    unsigned!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    signed!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);

    fn serialize_u128(self, n: u128) -> Result<(), Failed> {
        self.uint(u64::try_from(n).map_err(|_| Failed::from("a number beyond 64 bits"))?);
        Ok(())
    }

    fn serialize_i128(self, n: i128) -> Result<(), Failed> {
        self.int(i64::try_from(n).map_err(|_| Failed::from("a number beyond 64 bits"))?);
        Ok(())
    }

    fn serialize_f32(self, f: f32) -> Result<(), Failed> {
        self.serialize_f64(f.into())
    }

    /// As in `serde_json`'s values: a float that is not finite is null.
    fn serialize_f64(self, f: f64) -> Result<(), Failed> {
        if f.is_finite() {
            self.out.push(FLOAT);
            self.out.extend_from_slice(&f.to_be_bytes());
        } else {
            self.out.push(NULL);
        }
        Ok(())
    }

    fn serialize_char(self, c: char) -> Result<(), Failed> {
        write_str(self.out, c.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, s: &str) -> Result<(), Failed> {
        write_str(self.out, s);
        Ok(())
    }

    /// As `serde_json` writes bytes: an array of numbers.
    fn serialize_bytes(self, raw: &[u8]) -> Result<(), Failed> {
        self.out.push(ARRAY);
        varint(self.out, raw.len() as u64);
        raw.iter().for_each(|b| self.uint((*b).into()));
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Failed> {
        self.out.push(NULL);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Failed> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Failed> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Failed> {
        self.serialize_none()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Failed> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Failed> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        self.variant(variant);
        value.serialize(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'a>, Failed> {
        Ok(self.open(ARRAY))
    }

    fn serialize_tuple(self, _: usize) -> Result<Items<'a>, Failed> {
        Ok(self.open(ARRAY))
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items<'a>, Failed> {
        Ok(self.open(ARRAY))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Items<'a>, Failed> {
        self.variant(variant);
        Ok(self.open(ARRAY))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Fields<'a>, Failed> {
        Ok(Fields {
            items: self.open(OBJECT),
            key: String::new(),
        })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Items<'a>, Failed> {
        Ok(self.open(OBJECT))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Items<'a>, Failed> {
        self.variant(variant);
        Ok(self.open(OBJECT))
    }
}

/// Arrays of every kind take their items, structs of every kind their named fields, the same way.
macro_rules! items {
    ($($kind:ident: $method:ident($($name:ident: $name_type:ty)?) => $write:expr;)*) => {$(
        impl ser::$kind for Items<'_> {
            type Ok = ();
            type Error = Failed;

            fn $method<T: Serialize + ?Sized>(&mut self, $($name: $name_type,)? value: &T) -> Result<(), Failed> {
                let write: fn(&mut Self, $($name_type,)? &T) -> Result<(), Failed> = $write;
                write(self, $($name,)? value)
            }

            fn end(self) -> Result<(), Failed> {
                self.close()
            }
        }
    )*};
}

items! {
    SerializeSeq: serialize_element() => |items, value| items.item(value);
    SerializeTuple: serialize_element() => |items, value| items.item(value);
    SerializeTupleStruct: serialize_field() => |items, value| items.item(value);
    SerializeTupleVariant: serialize_field() => |items, value| items.item(value);
    SerializeStruct: serialize_field(name: &'static str) => |items, name, value| items.field(Cow::Borrowed(name), value);
    SerializeStructVariant: serialize_field(name: &'static str) => |items, name, value| items.field(Cow::Borrowed(name), value);
}

/// A map's entries: each key is turned into the string JSON would make of it, then written
/// with its value as a field.
struct Fields<'o> {
    items: Items<'o>,
    key: String,
}

impl ser::SerializeMap for Fields<'_> {
    type Ok = ();
    type Error = Failed;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Failed> {
        self.key = key.serialize(KeyText)?;
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
        let key = std::mem::take(&mut self.key);
        self.items.field(Cow::Owned(key), value)
    }

    fn end(self) -> Result<(), Failed> {
        self.items.close()
    }
}

/// A map key as `serde_json` makes one: a string as it is, a number or a bool spelled out, a
/// unit variant by its name.
struct KeyText;

fn not_a_key() -> Failed {
    "a map key that is neither a string nor a number".into()
}

macro_rules! key_spelled {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<String, Failed> {
            Ok(v.to_string())
        }
    )*};
}

impl ser::Serializer for KeyText {
    type Ok = String;
    type Error = Failed;
    type SerializeSeq = ser::Impossible<String, Failed>;
    type SerializeTuple = ser::Impossible<String, Failed>;
    type SerializeTupleStruct = ser::Impossible<String, Failed>;
    type SerializeTupleVariant = ser::Impossible<String, Failed>;
    type SerializeMap = ser::Impossible<String, Failed>;
    type SerializeStruct = ser::Impossible<String, Failed>;
    type SerializeStructVariant = ser::Impossible<String, Failed>;

    key_spelled!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_char: char,
        serialize_str: &str
    );

    fn serialize_f32(self, _: f32) -> Result<String, Failed> {
        Err(not_a_key())
    }

    fn serialize_f64(self, _: f64) -> Result<String, Failed> {
        Err(not_a_key())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<String, Failed> {
        Err(not_a_key())
    }

    fn serialize_none(self) -> Result<String, Failed> {
        Err(not_a_key())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, Failed> {
        Err(not_a_key())
    }

    fn serialize_unit(self) -> Result<String, Failed> {
        Err(not_a_key())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Failed> {
        Err(not_a_key())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<String, Failed> {
        Ok(variant.to_string())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<String, Failed> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Failed> {
        Err(not_a_key())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Failed> {
        Err(not_a_key())
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Failed> {
        Err(not_a_key())
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Failed> {
        Err(not_a_key())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Failed> {
        Err(not_a_key())
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Failed> {
        Err(not_a_key())
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Failed> {
        Err(not_a_key())
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Failed> {
        Err(not_a_key())
    }
}
