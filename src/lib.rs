//! trouble-bot: a Slack bot for handling customer troubles — the first move, the seven stages,
//! follow-ups with the customer, and a timeline nobody can silently edit.

pub mod admin;
pub mod allocator;
pub mod app;
pub mod clock;
pub mod config;
pub mod engine;
pub mod http;
pub mod i18n;
pub mod logs;
pub mod metrics;
pub mod runtime;
pub mod serve;
pub mod slack;
pub mod socket_mode;
pub mod store;
pub mod trouble;

pub use app::App;
pub use clock::Clock;
pub use config::Config;
pub use serve::{start, start_on, start_with, RunningBot};
