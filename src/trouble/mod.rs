//! The pure core: the trouble model, the command grammar, decisions, timeline, time arithmetic.

pub mod actions;
pub mod approval;
pub mod command;
pub mod customer;
pub mod decide;
pub mod digest;
pub mod due;
pub mod facts;
pub mod first_contact;
pub mod home;
pub mod hours;
pub mod markup;
pub mod model;
pub mod money;
pub mod people;
pub mod policy;
pub mod record;
pub mod redact;
pub mod replay;
pub mod search;
pub mod sheet;
pub mod stats;
pub mod timeline;
pub mod when;
pub mod zone;
