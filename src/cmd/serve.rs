//! `lifeboat serve`: bind 127.0.0.1, build in memory, serve, rebuild on change (see `crate::serve`).

use std::io::ErrorKind;
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command, ExitCode, Stdio};

use anyhow::bail;

use crate::cli::ServeOptions;
use crate::serve::Server;

/// How many ports after a busy one are tried, to suggest a free one.
const PORTS_TRIED: u16 = 50;

pub fn run(opts: &ServeOptions) -> anyhow::Result<ExitCode> {
    if !opts.content_dir.is_dir() {
        bail!(
            "content folder `{}` not found (give its path: `lifeboat serve DIR`)",
            opts.content_dir.display()
        );
    }
    let basis = match &opts.previous {
        None => None,
        Some(path) => super::previous_basis(path).map_err(anyhow::Error::msg)?,
    };
    let listener = bind(opts.port)?;
    let port = listener.local_addr()?.port();
    let url = format!("http://127.0.0.1:{port}/");
    let server = Server::new(listener, opts.content_dir.clone(), opts.env.clone(), basis)?;
    println!(
        "serving {} at {url} (127.0.0.1 only); pages reload on save; Ctrl-C stops",
        opts.content_dir.display()
    );
    if opts.open {
        open_browser(&url);
    }
    server.run();
    Ok(ExitCode::SUCCESS)
}

/// Binds 127.0.0.1:`port`; when it is taken, the error names the next free port.
pub fn bind(port: u16) -> anyhow::Result<TcpListener> {
    match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == ErrorKind::AddrInUse => {
            let free = (1..=PORTS_TRIED)
                .filter_map(|step| port.checked_add(step))
                .find(|&p| TcpListener::bind((Ipv4Addr::LOCALHOST, p)).is_ok());
            match free {
                Some(free) => bail!("port {port} is in use; try --port {free}"),
                None => bail!(
                    "port {port} is in use, and so are the {PORTS_TRIED} after it; choose another with --port"
                ),
            }
        }
        Err(e) => bail!("cannot listen on 127.0.0.1:{port}: {e}"),
    }
}

/// Opens `url` with the platform's opener; a failure is reported, not fatal.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match command.spawn() {
        Ok(mut child) => {
            // Reap the opener when it exits, and say so if it failed.
            let url = url.to_string();
            std::thread::spawn(move || match child.wait() {
                Ok(status) if status.success() => {}
                Ok(status) => eprintln!("could not open a browser ({status}); open {url} yourself"),
                Err(e) => eprintln!("could not open a browser ({e}); open {url} yourself"),
            });
        }
        Err(e) => eprintln!("could not open a browser ({e}); open {url} yourself"),
    }
}
