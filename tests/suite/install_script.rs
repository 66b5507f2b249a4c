//! `ci/install.sh` (used by action.yml and the GitLab snippet) installs a released binary after
//! checking its SHA-256, and the CI definitions use it instead of building the user's repo.

use crate::common;

use std::path::Path;
use std::process::Command;

fn sh(dir: &Path, script: &str) {
    let ok = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .status()
        .unwrap()
        .success();
    assert!(ok, "{script}");
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn installs_a_release_asset_after_checking_its_checksum() {
    let release = tempfile::tempdir().unwrap();
    let asset = "spcompat-v0.0.0-test-x86_64-unknown-linux-musl.tar.gz";
    std::fs::copy(
        env!("CARGO_BIN_EXE_spcompat"),
        release.path().join("spcompat"),
    )
    .unwrap();
    sh(
        release.path(),
        &format!("tar -czf {asset} spcompat && sha256sum {asset} > {asset}.sha256"),
    );
    let work = tempfile::tempdir().unwrap();
    let github_path = work.path().join("github_path");
    let install = |dir: &Path| {
        Command::new(common::root().join("ci/install.sh"))
            .env("SPCOMPAT_VERSION", "v0.0.0-test")
            .env("SPCOMPAT_DIR", dir)
            .env(
                "SPCOMPAT_RELEASE_URL",
                format!("file://{}", release.path().display()),
            )
            .env("GITHUB_PATH", &github_path)
            .output()
            .unwrap()
    };
    let dir = work.path().join("spcompat");
    let out = install(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let version = Command::new(dir.join("bin/spcompat"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).contains("Flink 1.11 to 2.3"));
    assert!(
        std::fs::read_to_string(&github_path)
            .unwrap()
            .contains(&*dir.join("bin").to_string_lossy())
    );
    let again = install(&dir);
    assert!(String::from_utf8_lossy(&again.stdout).contains("cached"));

    // A tampered asset is refused.
    sh(release.path(), &format!("echo x >> {asset}"));
    let out = install(&work.path().join("other"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("checksum mismatch"));
    assert!(!work.path().join("other/bin/spcompat").exists());
}

#[test]
fn ci_definitions_download_a_release_instead_of_building_the_repo() {
    for file in ["action.yml", "ci/gitlab-ci.yml"] {
        let text = std::fs::read_to_string(common::root().join(file)).unwrap();
        let _: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            text.contains("ci/install.sh"),
            "{file} installs a released binary"
        );
        assert!(
            !text.contains("cargo install"),
            "{file} must not build from source"
        );
    }
    let release =
        std::fs::read_to_string(common::root().join(".github/workflows/release.yml")).unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&release).unwrap();
    let targets = format!(
        "{:?}",
        doc["jobs"]["build"]["strategy"]["matrix"]["include"]
    );
    for t in [
        "x86_64-unknown-linux-musl",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
    ] {
        assert!(targets.contains(t), "release builds {t}");
    }
    assert!(release.contains(".sha256"));
}
