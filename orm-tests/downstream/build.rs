fn main() {
    // orm-tests' models are read for the tables these models point at; its migration creates
    // them (and the content-type table), this crate's only its own. Cargo tells where its model
    // files are (`links = "orm-tests-models"` in its Cargo.toml), so no path is written here.
    let build = orm_codegen::Build::new()
        .file("src/models.rs")
        .extern_links("orm-tests-models");
    if let Err(err) = build.generate() {
        eprintln!("{err}");
        std::process::exit(1);
    }
}
