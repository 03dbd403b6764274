//! `wxpay sign`: the signing string and Authorization header of a request (spec §2), and a
//! field-by-field comparison with an Authorization header someone else's code produced.

use serde_json::json;
use wxpay_crypto::{AuthorizationFields, parse_authorization, random_nonce, signing_string};

use crate::cli::{SignArgs, SignFormat};
use crate::config::Settings;
use crate::failure::{Failure, Result};
use crate::output::outln;

/// Runs `wxpay sign`.
pub fn run(args: &SignArgs) -> Result<()> {
    let settings = Settings::load(&args.config)?;
    let who = settings.signer(&args.signer)?;
    let signer = who.signer()?;
    let method = super::method(&args.method)?;
    let url = super::path_and_query(&args.path)?;
    let body = super::body(method, args.data.as_deref())?;
    let expected = args
        .expect
        .as_deref()
        .map(|h| {
            parse_authorization(h.trim()).map_err(|e| {
                Failure::usage(format!("--expect is not an Authorization header: {e}"))
            })
        })
        .transpose()?;

    let timestamp = match (args.timestamp, &expected) {
        (Some(t), _) => t,
        (None, Some(exp)) => exp.timestamp.parse().map_err(|_| {
            Failure::check(format!(
                "the timestamp {:?} of --expect is not Unix seconds",
                exp.timestamp
            ))
            .fix("WeChat Pay wants decimal Unix seconds (10 digits today), not milliseconds")
        })?,
        (None, None) => wxpay_crypto::Clock::now_unix(&wxpay_crypto::SystemClock),
    };
    let nonce = match (&args.nonce, &expected) {
        (Some(n), _) => n.clone(),
        (None, Some(exp)) => exp.nonce_str.to_owned(),
        (None, None) => random_nonce().map_err(|e| Failure::internal(e.to_string()))?,
    };
    let auth = signer
        .sign(method, &url, &body, timestamp, &nonce)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let message = signing_string(method, &url, timestamp, &nonce, &body);

    match args.format {
        SignFormat::Header => outln!("{}", auth.header_value()),
        SignFormat::SigningString => crate::output::bytes(&message),
        SignFormat::Json => super::print_json(&json!({
            "method": method,
            "url": url,
            "timestamp": timestamp,
            "nonce": nonce,
            "body_bytes": body.len(),
            "signing_string": String::from_utf8_lossy(&message),
            "signature": auth.signature(),
            "authorization": auth.header_value(),
            "mchid": who.mchid.value,
            "serial_no": who.serial.value,
        }))?,
        SignFormat::Text => {
            outln!("signing string (each line ends in \\n, the last one too):");
            outln!("  1 method     {method}");
            outln!("  2 url        {}", url.escape_debug());
            outln!("  3 timestamp  {timestamp}");
            outln!("  4 nonce      {}", nonce.escape_debug());
            outln!(
                "  5 body       {}  ({} bytes)",
                String::from_utf8_lossy(&body).escape_debug(),
                body.len()
            );
            outln!("signature      {}", auth.signature());
            outln!("Authorization: {}", auth.header_value());
            outln!(
                "(signed as merchant {} with certificate {}; the header is a credential for 5 minutes)",
                who.mchid.value,
                who.serial.value
            );
        }
    }

    match expected {
        Some(exp) => {
            let request = Request {
                method,
                url: &url,
                body: &body,
                timestamp: exp.timestamp,
                nonce: exp.nonce_str,
            };
            compare(&exp, &who.mchid.value, &who.serial.value, auth.signature())
                .map_err(|f| explain_difference(f, &exp, &signer, &request))
        }
        None => Ok(()),
    }
}

/// The request as given, with the timestamp and nonce of `--expect`.
struct Request<'a> {
    method: &'a str,
    url: &'a str,
    body: &'a [u8],
    timestamp: &'a str,
    nonce: &'a str,
}

/// Signs the usual wrong signing strings (spec §2.4) and, if one gives the expected signature,
/// says which mistake the other code makes.
fn explain_difference(
    failure: Failure,
    exp: &AuthorizationFields<'_>,
    signer: &wxpay_crypto::Signer,
    r: &Request<'_>,
) -> Failure {
    if failure.stage.as_deref() != Some("signature") {
        return failure;
    }
    let lines = |method: &str, url: &str, body: &[u8], end: &str| {
        let mut s = Vec::new();
        for part in [
            method.as_bytes(),
            url.as_bytes(),
            r.timestamp.as_bytes(),
            r.nonce.as_bytes(),
        ] {
            s.extend_from_slice(part);
            s.extend_from_slice(end.as_bytes());
        }
        s.extend_from_slice(body);
        s
    };
    let standard = |method: &str, url: &str, body: &[u8]| {
        let mut s = lines(method, url, body, "\n");
        s.push(b'\n');
        s
    };
    let mut candidates: Vec<(Vec<u8>, &str, &str)> = Vec::new();
    if let Some((path, _)) = r.url.split_once('?') {
        candidates.push((
            standard(r.method, path, r.body),
            "your code signs the path without its query string",
            "sign the path plus ?query exactly as sent",
        ));
    }
    let decoded = percent_encoding::percent_decode_str(r.url).decode_utf8_lossy();
    if decoded != r.url {
        candidates.push((
            standard(r.method, &decoded, r.body),
            "your code signs the URL before percent-encoding (decoded), but sends it encoded",
            "sign the path and query exactly as they go on the wire, already percent-encoded",
        ));
    }
    candidates.push((
        lines(r.method, r.url, r.body, "\n"),
        "your code leaves out the final \\n after the body line (for a GET: the empty body line)",
        "end every one of the five lines with \\n, the last one too",
    ));
    candidates.push((
        {
            let mut s = lines(r.method, r.url, r.body, "\r\n");
            s.extend_from_slice(b"\r\n");
            s
        },
        "your code ends the lines with \\r\\n",
        "use \\n (0x0A) only",
    ));
    candidates.push((
        standard(&r.method.to_ascii_lowercase(), r.url, r.body),
        "your code signs the method in lower case",
        "sign the method in upper case (GET, POST, …)",
    ));
    if !r.body.is_empty() {
        candidates.push((
            standard(r.method, r.url, b""),
            "your code signs an empty body but sends one",
            "sign the exact body bytes sent",
        ));
        let mut with_nl = r.body.to_vec();
        with_nl.push(b'\n');
        candidates.push((
            standard(r.method, r.url, &with_nl),
            "your code signs the body with a final line break that is not sent (or --data lacks it)",
            "sign the exact body bytes sent",
        ));
        if let Some(compact) = crate::diagnose::minify_json(r.body).filter(|c| c != r.body) {
            candidates.push((
                standard(r.method, r.url, &compact),
                "your code signs compact JSON but sends it re-formatted: the body was serialized twice",
                "serialize the body once and sign and send those same bytes",
            ));
        }
    }
    for (message, cause, fix) in candidates {
        if signer
            .sign_bytes(&message)
            .is_ok_and(|sig| sig == exp.signature)
        {
            return failure.cause(cause).fix(fix);
        }
    }
    failure
}

/// Compares an Authorization header with ours, signed over the same timestamp and nonce.
fn compare(
    exp: &AuthorizationFields<'_>,
    mchid: &str,
    serial: &str,
    signature: &str,
) -> Result<()> {
    let rows = [
        ("mchid", exp.mchid == mchid, mchid),
        (
            "serial_no",
            exp.serial_no.eq_ignore_ascii_case(serial),
            serial,
        ),
        ("signature", exp.signature == signature, signature),
    ];
    eprintln!("compared with --expect (its timestamp and nonce reused):");
    for (name, same, ours) in rows {
        if same {
            eprintln!("  {name:<10} same");
        } else {
            eprintln!(
                "  {name:<10} DIFFERENT (expected {:?}, computed {ours:?})",
                match name {
                    "mchid" => exp.mchid,
                    "serial_no" => exp.serial_no,
                    _ => exp.signature,
                }
            );
        }
    }
    if exp.signature != signature {
        return Err(Failure::check("the signature of --expect differs from the one computed here")
            .stage("signature")
            .cause("your code signed a different signing string, or with another private key")
            .fix("compare your signing string with the one above byte for byte: the URL must be the path plus ?query exactly as sent (same percent-encoding), GET/DELETE end with an empty body line, the body must be the exact bytes sent (not re-serialized after signing), lines end in \\n (not \\r\\n), the timestamp is in seconds; and sign with apiclient_key.pem of this certificate serial"));
    }
    if exp.mchid != mchid || !exp.serial_no.eq_ignore_ascii_case(serial) {
        return Err(Failure::check("the signature matches, but the header names another merchant or certificate")
            .stage("header fields")
            .cause("mchid or serial_no in the header is not the merchant and certificate serial the key belongs to")
            .fix("put the merchant id and the serial of the certificate whose private key signs into the header"));
    }
    eprintln!("match: your Authorization header is what this key produces for this request");
    Ok(())
}
