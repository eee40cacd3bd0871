//! Which operations the explorer may run for a profile. The server enforces this on every
//! execute call; the browser uses the same rules to disable what would be refused.
//!
//! - Operations Clockify does not accept the add-on token for (personal-key ones such as
//!   `getWorkspacesOfUser`, and the audit log) cannot run at all.
//! - A profile without `explorer_writes` (API Studio) runs GET operations only: 403.
//! - With it (Universal Webhook) anything runs, but every non-GET needs an explicit
//!   confirmation (`"confirmed": true`): 409 without.
//! - Bodies other than JSON (file uploads) and header parameters are not supported.

use crate::{
    openapi::{ApiServer, Method, Operation, ParamLocation},
    profile::Profile,
};

/// Why the explorer will not run an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Clockify wants a personal API key (or it is the audit log, which add-ons cannot reach).
    NotForAddons,
    /// The profile runs GET operations only.
    ReadOnlyProfile,
    /// The body is not JSON (a file upload) or the operation takes header parameters.
    Unsupported,
    /// A non-GET without `"confirmed": true`.
    ConfirmationRequired,
}

impl Refusal {
    /// The HTTP status the execute endpoint answers with.
    pub fn status(self) -> u16 {
        match self {
            Refusal::NotForAddons | Refusal::Unsupported => 422,
            Refusal::ReadOnlyProfile => 403,
            Refusal::ConfirmationRequired => 409,
        }
    }

    /// The stable code of the JSON answer.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotForAddons => "not_for_addons",
            Refusal::ReadOnlyProfile => "read_only_profile",
            Refusal::Unsupported => "unsupported_operation",
            Refusal::ConfirmationRequired => "confirmation_required",
        }
    }

    /// The message people see.
    pub fn message(self, operation: &Operation, profile: &Profile) -> String {
        let label = operation.label();
        match self {
            Refusal::NotForAddons => format!(
                "Clockify does not accept an add-on's token for {} ({label}): it needs a personal API key, \
                 so the explorer cannot run it",
                operation.id
            ),
            Refusal::ReadOnlyProfile => format!(
                "{} runs GET operations only; {label} was refused (Universal Webhook can run it after a confirmation)",
                profile.name
            ),
            Refusal::Unsupported => format!(
                "the explorer sends JSON bodies and no header parameters; {} cannot be sent from here",
                operation.id
            ),
            Refusal::ConfirmationRequired => format!(
                "{label} changes data in your workspace: confirm the exact request to run it (\"confirmed\": true)"
            ),
        }
    }
}

/// Whether `operation` needs a confirmation before it runs (every non-GET).
pub fn needs_confirmation(operation: &Operation) -> bool {
    operation.method != Method::Get
}

/// Whether the profile may run `operation` at all (a confirmation aside).
pub fn check_runnable(operation: &Operation, profile: &Profile) -> Result<(), Refusal> {
    if !operation.addon_auth || operation.server == ApiServer::AuditLog {
        return Err(Refusal::NotForAddons);
    }
    if operation.method != Method::Get && !profile.features.explorer_writes {
        return Err(Refusal::ReadOnlyProfile);
    }
    let json_body = operation
        .request_body
        .as_ref()
        .is_none_or(|body| body.content_type == "application/json");
    let headers = operation.parameters_in(ParamLocation::Header).next().is_some();
    if !json_body || headers {
        return Err(Refusal::Unsupported);
    }
    Ok(())
}

/// Everything the server checks before sending: [`check_runnable`], then the confirmation.
pub fn check(operation: &Operation, profile: &Profile, confirmed: bool) -> Result<(), Refusal> {
    check_runnable(operation, profile)?;
    if needs_confirmation(operation) && !confirmed {
        return Err(Refusal::ConfirmationRequired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        openapi::ApiSpec,
        profile::{API_STUDIO, UNIVERSAL_WEBHOOK},
    };

    fn operation(id: &str) -> &'static Operation {
        ApiSpec::clockify().operation(id).unwrap()
    }

    #[test]
    fn api_studio_runs_gets_only() {
        assert_eq!(check(operation("getTags"), &API_STUDIO, false), Ok(()));
        assert_eq!(
            check(operation("createNewTag"), &API_STUDIO, true),
            Err(Refusal::ReadOnlyProfile)
        );
        assert_eq!(Refusal::ReadOnlyProfile.status(), 403);
        let message = Refusal::ReadOnlyProfile.message(operation("createNewTag"), &API_STUDIO);
        assert!(message.starts_with("API Studio runs GET operations only"), "{message}");
        // Not even a read-only POST (a report) runs in API Studio.
        assert_eq!(
            check(operation("generateDetailedReport"), &API_STUDIO, true),
            Err(Refusal::ReadOnlyProfile)
        );
    }

    #[test]
    fn universal_webhook_needs_a_confirmation_for_non_gets() {
        assert_eq!(check(operation("getTags"), &UNIVERSAL_WEBHOOK, false), Ok(()));
        assert_eq!(
            check(operation("createNewTag"), &UNIVERSAL_WEBHOOK, false),
            Err(Refusal::ConfirmationRequired)
        );
        assert_eq!(check(operation("createNewTag"), &UNIVERSAL_WEBHOOK, true), Ok(()));
        assert_eq!(Refusal::ConfirmationRequired.status(), 409);
    }

    #[test]
    fn personal_key_operations_and_the_audit_log_never_run() {
        for id in ["getWorkspacesOfUser", "createWorkspace", "getAuditLogs"] {
            assert_eq!(
                check(operation(id), &UNIVERSAL_WEBHOOK, true),
                Err(Refusal::NotForAddons),
                "{id}"
            );
        }
    }

    #[test]
    fn uploads_are_not_supported() {
        let upload = ApiSpec::clockify()
            .operations()
            .iter()
            .find(|operation| {
                operation.addon_auth
                    && operation
                        .request_body
                        .as_ref()
                        .is_some_and(|body| body.content_type != "application/json")
            })
            .unwrap();
        assert_eq!(check(upload, &UNIVERSAL_WEBHOOK, true), Err(Refusal::Unsupported));
    }
}
