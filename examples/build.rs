fn main() {
    if let Err(err) = orm_codegen::Build::new()
        .file("src/blog.rs")
        .file("src/links.rs")
        .file("src/tagging.rs")
        .generate()
    {
        eprintln!("{err}");
        std::process::exit(1);
    }
}
