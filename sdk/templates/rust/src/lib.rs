//! A Keel guest in Rust. Build it with `keel build` (Debian: apt-get install rustc
//! libstd-rust-dev-wasm32); the build writes src/bindings.rs (docs/sdk-rust.md).

mod bindings;

use bindings::exports::keel::kernel::handler::Guest;
use bindings::keel::kernel::types::{ReplyStatus, Signal};
use bindings::keel::kernel::{events, ipc, log};

pub struct __WORLD__;

impl Guest for __WORLD__ {
    /// A message: log it; answer a request with a greeting; publish that someone was greeted.
    fn on_message(sender: String, body: Vec<u8>, request: u64) {
        let text = keel::text(&body);
        log::log(log::Level::Info, &format!("message from {}: {}", sender, text));
        if request != 0 {
            let _ = ipc::reply(request, format!("hello, {}", text).as_bytes());
        }
        let _ = events::publish("__NAME__.greeted", &body);
    }

    fn on_reply(_request: u64, _status: ReplyStatus, _body: Vec<u8>) {}

    fn on_event(_topic: String, _sender: String, _body: Vec<u8>) {}

    fn on_signal(signal: Signal) {
        if signal == Signal::Term {
            log::log(log::Level::Info, "terminating");
        }
    }

    /// A direct call from the embedder: the input, greeted.
    fn handle(input: Vec<u8>) -> Vec<u8> {
        format!("hello, {}", keel::text(&input)).into_bytes()
    }
}
