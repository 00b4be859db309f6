//! The agents' guide (`docs/guide.md`, one markdown file that GitHub and the docs folder show
//! as it is) becomes the HTML of `/aide` here, at build time: one source for both, no
//! markdown parser in the server, and a broken guide fails the build rather than a page.
//! Its images (`docs/guide/img/*.png`, screenshots of the browser test) are embedded too.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let guide = root.join("docs/guide.md");
    let images = root.join("docs/guide/img");
    println!("cargo::rerun-if-changed={}", guide.display());
    println!("cargo::rerun-if-changed={}", images.display());
    let markdown = std::fs::read_to_string(&guide).unwrap_or_else(|e| {
        panic!("{}: {e}", guide.display());
    });
    let mut options = pulldown_cmark::Options::empty();
    options.insert(pulldown_cmark::Options::ENABLE_TABLES);
    options.insert(pulldown_cmark::Options::ENABLE_HEADING_ATTRIBUTES);
    // Raw HTML in the guide is shown as text: the page's HTML is only what markdown makes.
    let events = pulldown_cmark::Parser::new_ext(&markdown, options).map(|e| match e {
        pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
            pulldown_cmark::Event::Text(h)
        }
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    // The page has its own title (h1): the markdown's is left out, its sections stay h2.
    if let (Some(start), Some(end)) = (html.find("<h1>"), html.find("</h1>\n")) {
        html.replace_range(start..end + "</h1>\n".len(), "");
    }
    // The guide's images, relative to docs/, are served by /aide/img/.
    let html = html.replace("src=\"guide/img/", "src=\"/aide/img/");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("guide.html"), html).expect("guide.html");

    let mut names: Vec<_> = std::fs::read_dir(&images)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "png"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut table = String::from("&[\n");
    for path in names {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("an image's name");
        println!("cargo::rerun-if-changed={}", path.display());
        let _ = writeln!(
            table,
            "    ({name:?}, include_bytes!({:?}) as &[u8]),",
            path.canonicalize().expect("image path").display()
        );
    }
    table.push(']');
    std::fs::write(out.join("guide_images.rs"), table).expect("guide_images.rs");
}
