//! `graph-double`: the Microsoft Graph test double as a program, so that
//! `examples/graph/sync.yaml` can be tried locally.
//!
//! ```text
//! graph-double [--port 8845] [--client-id ID] [--write-limit N] [--page-size N]
//!              [--token-lifetime SECONDS] [--throttle P] [--verbose]
//! ```
//!
//! The client secret is read from the environment variable `GRAPH_DOUBLE_SECRET` (default
//! `double-secret`), never from the command line. It serves until stopped. `--throttle P` answers a share P of
//! writes with 429 and a `Retry-After` of one second. `--verbose` prints every request.

use std::process::ExitCode;

use syncrules_graph_double::{Config, Fault, FaultRule, GraphDouble};

fn value<T: std::str::FromStr>(
    args: &mut impl Iterator<Item = String>,
    name: &str,
) -> Result<T, String> {
    args.next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("{name} needs a value"))
}

fn parse() -> Result<(Config, Option<f64>), String> {
    let mut config = Config {
        port: 8845,
        ..Config::default()
    };
    if let Ok(secret) = std::env::var("GRAPH_DOUBLE_SECRET") {
        config.client_secret = secret;
    }
    let mut throttle = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => config.port = value(&mut args, "--port")?,
            "--client-id" => config.client_id = value(&mut args, "--client-id")?,
            "--write-limit" => config.write_limit = Some(value(&mut args, "--write-limit")?),
            "--page-size" => config.page_size = value(&mut args, "--page-size")?,
            "--token-lifetime" => config.token_lifetime = value(&mut args, "--token-lifetime")?,
            "--verbose" => config.print_log = true,
            "--throttle" => throttle = Some(value(&mut args, "--throttle")?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok((config, throttle))
}

fn main() -> ExitCode {
    let (config, throttle) = match parse() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let double = match GraphDouble::start(config) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(3);
        }
    };
    if let Some(p) = throttle {
        let fault = Fault::Status {
            status: 429,
            retry_after: Some(1.0),
        };
        double.add_fault(FaultRule::new("", "", fault.clone()).probability(p));
        double.add_fault(FaultRule::new("", "", fault).probability(p).in_batch());
    }
    println!("graph double listening on {}", double.base_url());
    // Serves until the process is stopped.
    loop {
        std::thread::park();
    }
}
