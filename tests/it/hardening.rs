//! The adversarial pass of issue #13, berth run as root: one module per hardening item
//! (docs/security.md names each test).

mod escape;
mod pagination;
mod server;
mod ssrf;
mod store_permissions;
