//! Trigger: keeps a site current from the Fedora message bus.
//!
//! Packit publishes nothing on the bus; its jobs show up as the Copr, Koji, dist-git
//! and Bodhi messages of the builds, pull requests and updates it creates. `listen`
//! consumes those (AMQP 0-9-1 with lapin, configured by the fedora-messaging TOML file
//! users already have, [`config`]), maps each message to what must be re-fetched from
//! the Packit API ([`dispatch()`]), coalesces a burst into one
//! [`crate::sync::refresh`], then rebuilds the site incrementally
//! ([`crate::site::build`]) and only then acknowledges the messages ([`consumer`]).
//! Testing Farm sends nothing and the bus can drop messages, so an incremental
//! [`crate::sync::sync`] also runs every poll interval, beside message handling and
//! behind it in the API's politeness budget.

pub mod config;
pub mod consumer;
pub mod dispatch;

pub use config::{BusConfig, BusConfigError, PackitFilter};
pub use consumer::{BatchReport, ListenError, ListenEvent, ListenOptions, ListenStats, listen};
pub use dispatch::{Decision, DispatchError, Incoming, Target, dispatch};
