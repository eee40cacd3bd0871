//! The real server binary in a child process, for tests that read its log output.

use std::{io::Read, path::PathBuf, process::Stdio};

use addon_core::crypto::SecretKey;

use crate::support::signer;

/// A running `server` binary on SQLite, trusting [`signer`]'s key.
pub struct ServerProcess {
    pub address: String,
    child: std::process::Child,
    data_dir: PathBuf,
}

impl ServerProcess {
    /// Starts the binary with `env` on top of its own data directory, port and key; waits
    /// until `/healthz` answers.
    pub async fn start(env: &[(&str, &str)]) -> ServerProcess {
        let data_dir = std::env::temp_dir().join(format!("addons-bin-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let key_path = data_dir.join("key.pem");
        std::fs::write(&key_path, signer().public_key_pem()).unwrap();
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let address = format!("http://127.0.0.1:{port}");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", format!("sqlite://{}/addons.db", data_dir.display()))
            .env("DATA_DIR", &data_dir)
            .env("CLOCKIFY_PUBLIC_KEY_PATH", &key_path)
            .env("SECRET_KEY", SecretKey::generate().to_base64())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("start the server binary");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{address}/healthz")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        ServerProcess {
            address,
            child,
            data_dir,
        }
    }

    /// Stops the server after `settle` and returns everything it logged.
    pub async fn logs_after(mut self, settle: std::time::Duration) -> String {
        tokio::time::sleep(settle).await;
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut logs = String::new();
        if let Some(mut stdout) = self.child.stdout.take() {
            let _ = stdout.read_to_string(&mut logs);
        }
        if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut logs);
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
        logs
    }
}
