//! Changes one entity's status in a new archive revision, exactly as a sync that
//! fetched the changed entity would store it (both stored halves, history kept).
//! Used by `scripts/bench` to time a one-entity incremental rebuild.
//!
//! `cargo run --example touch_entity -- ARCHIVE KIND STATUS [NTH]`: the NTH (default 0)
//! entity of KIND (e.g. `copr`) whose status differs from STATUS gets STATUS; prints
//! the entity's id. `touch_entity --upgrade ARCHIVE` only brings the archive to the
//! current schema (so that no timed build has to).

use packit_pages::api::Kind;
use packit_pages_testkit::revision::touch;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, path] = args.as_slice()
        && flag == "--upgrade"
    {
        packit_pages::archive::Archive::upgrade(path)?;
        return Ok(());
    }
    let [path, kind, status, rest @ ..] = args.as_slice() else {
        return Err("usage: touch_entity ARCHIVE KIND STATUS [NTH]".into());
    };
    let kind = Kind::parse(kind).ok_or("unknown kind")?;
    let nth: i64 = rest.first().map(|s| s.parse()).transpose()?.unwrap_or(0);
    println!("{}", touch(path.as_ref(), kind, status, nth));
    Ok(())
}
