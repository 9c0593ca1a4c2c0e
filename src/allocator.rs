//! The memory allocator the binary (and the bench, to measure the same thing) runs on: jemalloc.
//!
//! Why: glibc's malloc and free took about a quarter of the bot's CPU under a burst of durable
//! opens, much of it its arenas' locks (a task allocates on one worker and is freed on the
//! other). With jemalloc the wrk open at c=64 rose from 627–898 to 860–1,067 opens a
//! second in alternated runs (BENCHMARKS.md, fifteenth session). mimalloc did as well on CPU
//! but could not be brought under the 64 MB the bot may hold at 100,000 troubles.
//!
//! The settings:
//! - `thp:never`: on a machine whose transparent huge pages are `always`, jemalloc's extents
//!   are otherwise backed by 2 MB pages, and the bot held 64–69 MB at 100,000 troubles;
//! - `dirty_decay_ms:1000,background_thread:true`: a page a free leaves unused is kept for a
//!   second, for the next request to use without a page fault, then given back by jemalloc's
//!   own thread (an idle bot allocates nothing that would trigger a purge itself). Alternated
//!   against giving pages back at once, a durable open took ~11% less CPU (wrk at c=64: 971
//!   against 820 opens a second over four pairs) and `stats` at 100,000 troubles ~35% less
//!   time at the median, for a few MB more resident after the reads there (46–52 MB against
//!   44–45) and ~7 MB more at the peak of a burst of opens. Pages went back at once until the twenty-second
//!   session, when the bot held 57–62 MB at 100,000 troubles (BENCHMARKS.md);
//! - `muzzy_decay_ms:0`: a page once given back lazily (`MADV_FREE`) still counts as resident,
//!   so jemalloc gives pages back for good.

/// The allocator type, for `#[global_allocator]` (see [`use_jemalloc!`]).
pub use tikv_jemallocator::Jemalloc;

/// jemalloc's options as it reads them at its start: a C string.
pub const MALLOC_CONF: &[u8] = b"thp:never,dirty_decay_ms:1000,muzzy_decay_ms:0,background_thread:true\0";

/// Makes jemalloc, with [`MALLOC_CONF`], the allocator of the crate this is expanded in: a
/// binary's own (the settings' symbol must be in the binary's own object file, or the linker
/// keeps jemalloc's empty default).
#[macro_export]
macro_rules! use_jemalloc {
    () => {
        #[global_allocator]
        static ALLOCATOR: $crate::allocator::Jemalloc = $crate::allocator::Jemalloc;

        /// Read by jemalloc (prefixed `_rjem_` as the crate builds it) when it starts.
        #[export_name = "_rjem_malloc_conf"]
        static MALLOC_CONF: &[u8] = $crate::allocator::MALLOC_CONF;
    };
}
