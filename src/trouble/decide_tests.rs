//! Unit tests of the pure core (filled in next).
