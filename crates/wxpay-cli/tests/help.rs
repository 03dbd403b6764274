//! Every command answers `--help`; the exit codes are documented; usage errors exit 2.

mod common;
use common::{run, wxpay};

const COMMANDS: &[&[&str]] = &[
    &[],
    &["demo"],
    &["callbacks"],
    &["callbacks", "get"],
    &["callbacks", "set"],
    &["api"],
    &["notify"],
    &["notify", "open"],
    &["sign"],
    &["verify"],
    &["mock"],
    &["mock", "serve"],
];

#[test]
fn every_command_has_help() {
    for path in COMMANDS {
        let r = run(wxpay().args(*path).arg("--help"));
        r.expect_code(0);
        assert!(
            r.stdout.contains("Usage: wxpay"),
            "wxpay {path:?} --help:\n{}",
            r.stdout
        );
    }
}

#[test]
fn root_help_lists_every_exit_code() {
    let r = run(wxpay().arg("--help"));
    r.expect_code(0);
    for code in ["0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "6 ", "7 ", "70"] {
        assert!(
            r.stdout.contains(&format!("\n  {code}")),
            "exit code {code} missing:\n{}",
            r.stdout
        );
    }
}

#[test]
fn settings_help_names_the_environment_variables() {
    let r = run(wxpay().args(["api", "--help"]));
    for var in [
        "WXPAY_MCHID",
        "WXPAY_PRIVATE_KEY_PATH",
        "WXPAY_APIV3_KEY",
        "WXPAY_BASE_URL",
    ] {
        assert!(r.stdout.contains(var), "{var} missing");
    }
}

#[test]
fn usage_errors_exit_2() {
    run(wxpay().arg("frobnicate")).expect_code(2);
    run(wxpay().args(["sign", "GET"])).expect_code(2);
    run(wxpay().args(["notify", "open", "--at", "1", "--no-time-check"])).expect_code(2);
    // Secrets are never command-line values.
    run(wxpay().args(["notify", "open", "--apiv3-key", "x"])).expect_code(2);
}
