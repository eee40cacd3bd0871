//! Black-box tests: the real simulator on 127.0.0.1:0 and a recording fake add-on.

mod bootstrap;
mod common;
mod install;
mod page;
mod rest;
mod settings;
mod traffic;
mod webhooks;
mod workspace;
