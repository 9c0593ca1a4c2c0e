//! Slack: the Web API client, inbound payload types and Block Kit builders. Only this module
//! knows Slack's wire format.

pub mod blocks;
pub mod check;
pub mod client;
pub mod connect;
pub mod contracts;
pub mod payloads;
pub mod people;
pub mod signature;
pub mod text;

pub use client::{SlackClient, SlackError};
