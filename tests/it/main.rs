//! berth's integration tests: one binary, one module per command, driving the real `berth` binary
//! against real peers (the CNCF registry, skopeo, umoci, runc/crun, a Docker 20.10 engine) started on loopback.
#![allow(clippy::print_stderr, clippy::print_stdout)]

mod build;
mod build_bases;
mod build_context;
mod build_corpus;
mod build_network;
mod build_terminal;
mod chapter;
mod cli;
mod common;
mod containers;
mod crash;
mod debian;
mod docker;
mod hardening;
mod images;
mod import;
mod inspect;
mod mounts;
mod outputs;
mod races;
mod registry;
mod rmi;
mod save_load;
mod store;
mod templates;
mod terminal;
mod umoci_layers;
mod words;
