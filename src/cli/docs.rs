//! `explain` and `man`: the rule catalog and the man page.

use std::process::ExitCode;

use super::{Cli, EXIT_BAD_INPUT, emit};
use crate::report;

pub(super) fn explain(rule: Option<&str>) -> ExitCode {
    use crate::analysis::rules;
    match rule {
        None => {
            let rows: Vec<Vec<String>> = rules::ALL
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.severity.as_str().to_string(),
                        r.title.to_string(),
                    ]
                })
                .collect();
            emit(&report::table(&rows, ""));
            ExitCode::SUCCESS
        }
        Some(id) => match rules::find(id) {
            Some(r) => {
                emit(r.doc);
                ExitCode::SUCCESS
            }
            None => {
                say!(
                    "spcompat: no rule `{id}`; `spcompat explain` lists the {} rules",
                    rules::ALL.len()
                );
                ExitCode::from(EXIT_BAD_INPUT)
            }
        },
    }
}

/// One man page holding every command: clap_mangen's default page refers to per-command
/// pages (`spcompat-check(1)`) that are not installed anywhere.
pub(super) fn man_page(out: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write;
    let mut cmd = <Cli as clap::CommandFactory>::command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        writeln!(out, ".SH \"COMMAND: spcompat {}\"", sub.get_name())?;
        let about = sub
            .get_long_about()
            .or(sub.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        writeln!(
            out,
            "{}",
            about.replace('\\', "\\\\").replace("\n.", "\n\\&.")
        )?;
        let mut options = Vec::new();
        let sub_man = clap_mangen::Man::new(sub.clone());
        sub_man.render_synopsis_section(&mut options)?;
        sub_man.render_options_section(&mut options)?;
        let options = String::from_utf8_lossy(&options)
            .replace(".SH SYNOPSIS", ".SS Synopsis")
            .replace(".SH OPTIONS", ".SS Options");
        out.write_all(options.as_bytes())?;
    }
    man.render_extra_section(out)?;
    man.render_version_section(out)
}
