fn main() {
    // orm-tests' models are read for the tables these models point at; its migration creates
    // them (and the content-type table), this crate's only its own.
    let build = orm_codegen::Build::new()
        .file("src/models.rs")
        .extern_file("../src/models.rs");
    if let Err(err) = build.generate() {
        eprintln!("{err}");
        std::process::exit(1);
    }
}
