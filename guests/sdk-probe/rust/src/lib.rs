//! The SDK probe in Rust (docs/sdk-probe.md has the behaviour every language's probe follows).
//! Built with `keel build guests/sdk-probe/rust`: Debian's rustc (1.63, wasm32-wasi), Keel's
//! bindings of ../world.wit in src/bindings.rs, the `keel` runtime crate.

mod bindings;

use bindings::exports::keel::kernel::handler;
use bindings::exports::keel::sdk_probe::types as exported;
use bindings::keel::kernel::{events, ipc, log, self_, types::ErrorCode, types::ReplyStatus, types::Signal};
use bindings::keel::sdk_probe::types as host;
use std::io::{Read, Write};

pub struct Probe;

fn info(message: &str) {
    log::log(log::Level::Info, message);
}

fn code(error: ErrorCode) -> String {
    let name = match error {
        ErrorCode::CapabilityDenied => "capability-denied",
        ErrorCode::MessageTooLarge => "message-too-large",
        ErrorCode::MailboxFull => "mailbox-full",
        ErrorCode::NoSuchTarget => "no-such-target",
        ErrorCode::Timeout => "timeout",
        ErrorCode::Killed => "killed",
        ErrorCode::InvalidArgument => "invalid-argument",
    };
    format!("err={}", name)
}

fn status(result: Result<(), ErrorCode>) -> String {
    match result {
        Ok(()) => "ok".to_string(),
        Err(e) => code(e),
    }
}

fn split(text: &str) -> (&str, &str) {
    match text.find(' ') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    }
}

fn run(command: &str) -> String {
    let (verb, arg) = split(command);
    match verb {
        "log" => {
            info(arg);
            "ok".to_string()
        }
        "env" => std::env::var(arg).unwrap_or_else(|_| "(unset)".to_string()),
        "read" => {
            let mut text = String::new();
            match std::fs::File::open(arg).and_then(|mut f| f.read_to_string(&mut text)) {
                Ok(_) => text,
                Err(_) => "(no file)".to_string(),
            }
        }
        "write" => {
            let (path, text) = split(arg);
            match std::fs::File::create(path).and_then(|mut f| f.write_all(text.as_bytes())) {
                Ok(()) => "ok".to_string(),
                Err(_) => "(cannot write)".to_string(),
            }
        }
        "send" => {
            let (to, text) = split(arg);
            status(ipc::send(to, text.as_bytes()))
        }
        "request" => {
            let (to, text) = split(arg);
            match ipc::request(to, text.as_bytes(), 5000) {
                Ok(id) => format!("id={}", id),
                Err(e) => code(e),
            }
        }
        "publish" => {
            let (topic, text) = split(arg);
            status(events::publish(topic, text.as_bytes()))
        }
        "subscribe" => status(events::subscribe(arg)),
        "self" => self_::id(),
        "counter" => {
            let a = host::Counter::new(5);
            let added = a.add(3);
            let b = host::Counter::new(10);
            let merged = host::Counter::merge(&a, &b);
            format!("{} {}", added, merged.value())
        }
        "exit" => std::process::exit(arg.parse().unwrap_or(1)),
        "trap" => core::arch::wasm32::unreachable(),
        _ => format!("unknown command: {}", verb),
    }
}

impl handler::Guest for Probe {
    fn on_message(sender: String, body: Vec<u8>, request: u64) {
        let text = keel::text(&body);
        info(&format!("msg {} {}", sender, text));
        if request != 0 {
            let _ = ipc::reply(request, format!("echo {}", text).as_bytes());
        } else {
            run(&text);
        }
    }

    fn on_reply(_request: u64, status: ReplyStatus, body: Vec<u8>) {
        let status = match status {
            ReplyStatus::Ok => "ok",
            ReplyStatus::Timeout => "timeout",
            ReplyStatus::Killed => "killed",
        };
        info(&format!("reply {} {}", status, keel::text(&body)));
    }

    fn on_event(topic: String, _sender: String, body: Vec<u8>) {
        info(&format!("event {} {}", topic, keel::text(&body)));
    }

    fn on_signal(signal: Signal) {
        info(&format!("signal {}", signal as u8));
    }

    fn handle(input: Vec<u8>) -> Vec<u8> {
        run(&keel::text(&input)).into_bytes()
    }
}

/// The guest's own counter (the exported resource).
pub struct MyCounter {
    value: std::cell::Cell<u32>,
}

impl exported::GuestCounter for MyCounter {
    fn new(start: u32) -> Self {
        MyCounter { value: std::cell::Cell::new(start) }
    }
    fn add(&self, n: u32) -> u32 {
        self.value.set(self.value.get().wrapping_add(n));
        self.value.get()
    }
    fn value(&self) -> u32 {
        self.value.get()
    }
    fn merge(a: &Self, b: &Self) -> exported::Counter {
        exported::Counter::new(MyCounter::new(a.value() + b.value()))
    }
}

// Every export hands its argument to the host's import of the same function and returns what
// came back. The exported and imported types are distinct Rust types with the same shape.
impl exported::Guest for Probe {
    type Counter = MyCounter;

    fn echo_scalars(v: exported::Scalars) -> exported::Scalars {
        let r = host::echo_scalars(host::Scalars {
            bool: v.bool, s8: v.s8, u8: v.u8, s16: v.s16, u16: v.u16, s32: v.s32, u32: v.u32,
            s64: v.s64, u64: v.u64, f32: v.f32, f64: v.f64, char: v.char,
        });
        exported::Scalars {
            bool: r.bool, s8: r.s8, u8: r.u8, s16: r.s16, u16: r.u16, s32: r.s32, u32: r.u32,
            s64: r.s64, u64: r.u64, f32: r.f32, f64: r.f64, char: r.char,
        }
    }
    fn echo_string(v: String) -> String {
        host::echo_string(&v)
    }
    fn echo_bytes(v: Vec<u8>) -> Vec<u8> {
        host::echo_bytes(&v)
    }
    fn echo_strings(v: Vec<String>) -> Vec<String> {
        host::echo_strings(v)
    }
    fn echo_points(v: Vec<exported::Point>) -> Vec<exported::Point> {
        let points = v.into_iter().map(|p| host::Point { x: p.x, y: p.y }).collect();
        host::echo_points(points).into_iter().map(|p| exported::Point { x: p.x, y: p.y }).collect()
    }
    fn echo_nested(v: Vec<Vec<u32>>) -> Vec<Vec<u32>> {
        host::echo_nested(v)
    }
    fn echo_shape(v: exported::Shape) -> exported::Shape {
        let shape = match v {
            exported::Shape::Circle(r) => host::Shape::Circle(r),
            exported::Shape::Rect(p) => host::Shape::Rect(host::Point { x: p.x, y: p.y }),
            exported::Shape::Label(s) => host::Shape::Label(s),
            exported::Shape::Tagged(t) => host::Shape::Tagged(t),
            exported::Shape::Empty => host::Shape::Empty,
        };
        match host::echo_shape(shape) {
            host::Shape::Circle(r) => exported::Shape::Circle(r),
            host::Shape::Rect(p) => exported::Shape::Rect(exported::Point { x: p.x, y: p.y }),
            host::Shape::Label(s) => exported::Shape::Label(s),
            host::Shape::Tagged(t) => exported::Shape::Tagged(t),
            host::Shape::Empty => exported::Shape::Empty,
        }
    }
    fn echo_color(v: exported::Color) -> exported::Color {
        let color = match v {
            exported::Color::Red => host::Color::Red,
            exported::Color::Green => host::Color::Green,
            exported::Color::Blue => host::Color::Blue,
        };
        match host::echo_color(color) {
            host::Color::Red => exported::Color::Red,
            host::Color::Green => exported::Color::Green,
            host::Color::Blue => exported::Color::Blue,
        }
    }
    fn echo_perms(v: exported::Perms) -> exported::Perms {
        exported::Perms { bits: host::echo_perms(host::Perms { bits: v.bits }).bits }
    }
    fn echo_option(v: Option<String>) -> Option<String> {
        host::echo_option(v)
    }
    fn echo_option_option(v: Option<Option<u32>>) -> Option<Option<u32>> {
        host::echo_option_option(v)
    }
    fn echo_result(v: Result<u64, String>) -> Result<u64, String> {
        host::echo_result(v)
    }
    fn echo_result_empty(v: Result<(), ()>) -> Result<(), ()> {
        host::echo_result_empty(v)
    }
    fn echo_tuple(v: (bool, String, f64)) -> (bool, String, f64) {
        host::echo_tuple(v)
    }
    fn echo_many(
        a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, h: u32, i: u32, j: u32, k: u32,
        l: u32, m: u32, n: u32, o: u32, p: u32, q: String,
    ) -> String {
        host::echo_many(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, &q)
    }
}
