//! The database layer: connections to every backend, statements and their values, decoding,
//! pools and the async connection. It names no ORM concept; the layers above keep their
//! per-connection state in its extensions.

pub(crate) mod async_connection;
pub(crate) mod backend;
pub(crate) mod connection;
pub(crate) mod decode;
pub(crate) mod extensions;
pub(crate) mod pool;
mod raw;
pub(crate) mod sql;
mod transaction;
pub(crate) mod url;
pub(crate) mod value;
