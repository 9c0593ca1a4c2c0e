//! The running parts: the outbox deliverer and the timer loop.

pub mod deliver;
pub mod pacer;
pub mod timers;
