//! `vmcoach serve` against a real server on 127.0.0.1: the security list,
//! the API with the real model, and the page in headless Chromium with a
//! fake microphone. These fail, never skip, without the model, node or
//! Chromium (./scripts/test installs them).

#[path = "../common/mod.rs"]
mod common;

mod api;
mod browser;
mod http;
mod security;
