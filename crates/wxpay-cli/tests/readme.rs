//! Every `wxpay` command line in the README parses (its command and flags exist), and the
//! README leads with the two commands. The commands themselves run in demo.rs (the demo) and
//! mock_serve.rs (the simulator flow: mock serve → callbacks set/get → api GET).

mod common;
use common::{run, wxpay};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap()
}

/// Shell words of a command line: quotes removed, a trailing `# comment` dropped.
fn words(line: &str) -> Vec<String> {
    let line = line.split("  #").next().unwrap_or(line);
    let (mut out, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// The `wxpay …` invocations in the README's shell blocks, as argument lists.
fn invocations(text: &str) -> Vec<Vec<String>> {
    let mut in_sh = false;
    let mut found = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let w = words(line.trim());
        let args = match w.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["wxpay", ..] => w[1..].to_vec(),
            ["cargo", "run", "-p", "wxpay-cli", "--", ..] => w[5..].to_vec(),
            _ => continue,
        };
        found.push(args);
    }
    found
}

#[test]
fn readme_leads_with_the_two_commands() {
    let text = readme();
    let first_block = text
        .split("```sh")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    assert!(
        first_block.contains("\ncargo run -p wxpay-cli -- demo\n"),
        "{first_block}"
    );
    assert!(first_block.contains("\ncargo xtask ci\n"), "{first_block}");
    assert!(
        !text.contains("--example demo"),
        "the old example demo is gone"
    );
}

#[test]
fn every_wxpay_command_in_the_readme_parses() {
    let all = invocations(&readme());
    assert!(all.len() >= 9, "found {all:?}");
    for args in all {
        let r = run(wxpay().args(&args).arg("--help"));
        assert_eq!(
            r.code,
            0,
            "`wxpay {}` does not parse:\n{}",
            args.join(" "),
            r.stderr
        );
    }
}

#[test]
fn shell_words() {
    assert_eq!(
        words(r#"wxpay sign GET '/a?b=1' --expect "$A"   # note"#),
        ["wxpay", "sign", "GET", "/a?b=1", "--expect", "$A"]
    );
}
