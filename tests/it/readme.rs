//! Every ```` ```toml ```` block of README.md is a complete file that
//! `stacksim check` accepts as written, so a reader can copy any of them.
//! There are no fragments: a block that shows a model is a whole model, a
//! block that shows an experiment is a whole experiment. Each block is
//! checked as if it were a file in the repository's `experiments/` folder
//! (next to copies of the bundled `models/` and `experiments/`), so a
//! relative `model = "../models/seed.toml"` resolves as it would in a clone.
//! There is no way to exempt a block: show TOML that is not a whole file in
//! a ```` ``` ```` block without the `toml` tag, or in the prose.

use super::common::TempDir;
use std::path::Path;
use std::process::Command;

const README: &str = include_str!("../../README.md");

/// One fenced TOML block: the README line of its first content line, and its text.
#[derive(Debug, PartialEq)]
struct Block {
    line: usize,
    text: String,
}

/// The ```` ```toml ```` blocks of a Markdown text, in order.
fn toml_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = vec![];
    let mut current: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        match current.take() {
            None if fence && line.trim() == "```toml" => {
                current = Some(Block {
                    line: i + 2,
                    text: String::new(),
                });
            }
            None => {}
            Some(block) if fence => blocks.push(block),
            Some(mut block) => {
                block.text.push_str(line);
                block.text.push('\n');
                current = Some(block);
            }
        }
    }
    assert!(
        current.is_none(),
        "README.md: a ```toml block is not closed"
    );
    blocks
}

/// Copies every `*.toml` of the repository folder `from` into `to`.
fn copy_tomls(from: &str, to: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
    std::fs::create_dir_all(to).expect("create a folder");
    for entry in std::fs::read_dir(&src).expect("read a bundled folder") {
        let path = entry.expect("a folder entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_name().expect("a file name");
            std::fs::copy(&path, to.join(name)).expect("copy a bundled file");
        }
    }
}

#[test]
fn every_readme_toml_block_passes_check() {
    let blocks = toml_blocks(README);
    assert!(
        blocks.len() >= 2,
        "README.md should show a model and an experiment; found {} ```toml block(s)",
        blocks.len()
    );
    let dir = TempDir::new("readme");
    copy_tomls("models", &dir.path().join("models"));
    copy_tomls("experiments", &dir.path().join("experiments"));
    let mut failures = vec![];
    for block in &blocks {
        let name = format!("readme-line-{}.toml", block.line);
        std::fs::write(dir.path().join("experiments").join(&name), &block.text)
            .expect("write a block");
        let out = Command::new(env!("CARGO_BIN_EXE_stacksim"))
            .args(["check", &name])
            .current_dir(dir.path().join("experiments"))
            .output()
            .expect("run stacksim check");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() || stderr.contains("error") {
            failures.push(format!(
                "README.md:{}: the ```toml block starting here fails `stacksim check` \
                 (exit {:?}):\n{stderr}",
                block.line,
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn blocks_are_found_with_their_lines() {
    let md = "# t\n```toml\na = 1\n```\n\n```sh\nx\n```\n  ```toml\nb = 2\nc = 3\n  ```\n";
    assert_eq!(
        toml_blocks(md),
        vec![
            Block {
                line: 3,
                text: "a = 1\n".into()
            },
            Block {
                line: 10,
                text: "b = 2\nc = 3\n".into()
            },
        ]
    );
}
