use addon_core::{manifest::manifest_file_text, manifest_schema::validate_manifest, profile::PROFILES};
use serde_json::Value;

use crate::{on_both_backends, support::TestApp};

async fn served_manifests_are_valid_and_use_the_public_url(app: &TestApp) {
    for profile in PROFILES {
        let manifest: Value = app
            .http
            .get(app.url(&format!("/{}/manifest", profile.key)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        validate_manifest(&manifest).unwrap_or_else(|problems| panic!("{}: {problems:?}", profile.key));
        assert_eq!(manifest["baseUrl"], format!("{}/{}", app.address, profile.key));
        assert_eq!(manifest["key"], profile.key);
        assert_eq!(manifest["schemaVersion"], "1.6");
    }
}
on_both_backends!(served_manifests_are_valid_and_use_the_public_url);

#[test]
fn committed_manifests_are_up_to_date() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../manifests");
    for profile in PROFILES {
        let path = folder.join(format!("{}.json", profile.key));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == manifest_file_text(profile, server::COMMITTED_MANIFEST_BASE_URL),
            "{} is out of date: run `cargo run -p server -- write-manifests`",
            path.display()
        );
    }
}

#[test]
fn committed_manifests_validate_against_schema_1_6() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../manifests");
    for profile in PROFILES {
        let text = std::fs::read_to_string(folder.join(format!("{}.json", profile.key))).unwrap();
        let manifest: Value = serde_json::from_str(&text).unwrap();
        validate_manifest(&manifest).unwrap();
        let webhooks = manifest["webhooks"].as_array().unwrap().len();
        let settings: usize = manifest["settings"]["tabs"][0]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|group| group["settings"].as_array().unwrap().len())
            .sum();
        match profile.key {
            "api-studio" => assert_eq!(
                (webhooks, settings, manifest["scopes"].as_array().unwrap().len()),
                (12, 3, 14)
            ),
            _ => assert_eq!(
                (webhooks, settings, manifest["scopes"].as_array().unwrap().len()),
                (20, 14, 30)
            ),
        }
    }
}
