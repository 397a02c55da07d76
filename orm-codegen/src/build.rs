//! The build step: `build.rs` calls [`Build`], which reads the model files, and writes the diesel
//! schema and the DDL of every backend into `OUT_DIR/orm_schema.rs`.

use std::fmt;
use std::path::{Path, PathBuf};

use quote::quote;

use crate::ctxt::Ctxt;
use crate::ddl::{content_type_rows, create_statements, Dialect};
use crate::model::{Attrs, Model};
use crate::schema::diesel_schema;

/// Why the build step failed.
#[derive(Debug)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// Configures the schema build step.
///
/// In `build.rs`:
///
/// ```no_run
/// orm_codegen::Build::new().file("src/models.rs").generate().unwrap();
/// ```
///
/// Then, in the crate: `orm_core::include_schema!();` defines `schema` (diesel tables) and
/// `MIGRATION` (the DDL for SQLite, PostgreSQL and MySQL). diesel's `table!` names `::diesel`,
/// so the crate depends on `diesel` itself (the same version as orm-core).
#[derive(Debug, Default)]
pub struct Build {
    files: Vec<PathBuf>,
    /// Another crate's model files: read for the models this crate's relations point at.
    external: Vec<PathBuf>,
    /// The `links` names of crates whose build step reported their model files.
    links: Vec<String>,
}

impl Build {
    pub fn new() -> Self {
        Build::default()
    }

    /// Adds a Rust source file holding `#[derive(Model)]` structs (relative to the crate root).
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.files.push(path.into());
        self
    }

    /// Adds a model file of another crate (relative to this crate's root, such as
    /// `../accounts/src/models.rs`), whose models this crate's foreign keys and many-to-manys
    /// point at. Its models are read for their tables and keys only: this crate's schema and
    /// `MIGRATION` leave them out, with the content-type table. The other crate's `MIGRATION`
    /// creates them, so apply it first.
    pub fn extern_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.external.push(path.into());
        self
    }

    /// Adds the model files of a dependency wherever it is (a path, a registry, git), found by
    /// the `links` name in its `Cargo.toml` (`links = "accounts-models"`). Every build step
    /// reports its model files to cargo, which hands them to the build scripts of the crates that
    /// depend on that one directly when it has a `links` name. Otherwise as
    /// [`Build::extern_file`].
    pub fn extern_links(mut self, links: impl Into<String>) -> Self {
        self.links.push(links.into());
        self
    }

    /// Writes `OUT_DIR/orm_schema.rs`, and tells cargo to rerun only when a model file changes,
    /// and where this crate's model files are (for [`Build::extern_links`] downstream).
    pub fn generate(self) -> Result<(), BuildError> {
        let out_dir = std::env::var_os("OUT_DIR").ok_or_else(|| {
            BuildError("OUT_DIR is not set: call Build::generate from build.rs".into())
        })?;
        for line in self.rerun_if_changed() {
            println!("{line}");
        }
        // A dependency's model file changes without its path changing.
        for file in self.linked_files().unwrap_or_default() {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        let own: Vec<PathBuf> = self
            .files
            .iter()
            .map(|f| std::fs::canonicalize(f).unwrap_or_else(|_| f.clone()))
            .collect();
        if let Ok(paths) = std::env::join_paths(own) {
            println!("cargo:models={}", paths.to_string_lossy());
        }
        self.write_into(Path::new(&out_dir)).map(|_| ())
    }

    /// Cargo reruns the build script only when one of these changes: the model files (or where a
    /// dependency's are), nothing else (not the rest of the crate).
    fn rerun_if_changed(&self) -> Vec<String> {
        let files = self
            .files
            .iter()
            .chain(&self.external)
            .map(|f| format!("cargo:rerun-if-changed={}", f.display()));
        let links = self
            .links
            .iter()
            .map(|l| format!("cargo:rerun-if-env-changed={}", links_var(l)));
        files.chain(links).collect()
    }

    /// The model files of the crates named by [`Build::extern_links`].
    fn linked_files(&self) -> Result<Vec<PathBuf>, BuildError> {
        let mut files = Vec::new();
        for links in &self.links {
            let var = links_var(links);
            let paths = std::env::var_os(&var).ok_or_else(|| {
                BuildError(format!(
                    "{var} is not set: the crate with `links = \"{links}\"` must be a direct dependency of this one, and run the schema build step"
                ))
            })?;
            files.extend(std::env::split_paths(&paths));
        }
        Ok(files)
    }

    /// Writes `orm_schema.rs` into `dir` when its content changed; returns whether it wrote. An
    /// unchanged file keeps its timestamp, so nothing that includes it recompiles.
    fn write_into(&self, dir: &Path) -> Result<bool, BuildError> {
        let code = self.render()?;
        let path = dir.join("orm_schema.rs");
        if std::fs::read_to_string(&path).ok().as_deref() == Some(code.as_str()) {
            return Ok(false);
        }
        std::fs::write(&path, code)
            .map_err(|e| BuildError(format!("cannot write {}: {e}", path.display())))?;
        Ok(true)
    }

    /// The generated Rust source.
    pub fn render(&self) -> Result<String, BuildError> {
        let mut inputs = read_models(&self.files)?;
        let external_files: Vec<PathBuf> = self
            .external
            .iter()
            .cloned()
            .chain(self.linked_files()?)
            .collect();
        let mut external = read_models(&external_files)?;
        // The content-type table is created once, by the crate whose models others point at.
        if external_files.is_empty() {
            inputs.push(content_type_model());
        } else {
            external.push(content_type_model());
        }
        let cx = Ctxt::new();
        let attrs: Vec<Attrs> = inputs.iter().map(|i| Attrs::from_ast(&cx, i)).collect();
        let models = Model::all(&cx, &inputs, &attrs);
        let external_attrs: Vec<Attrs> = external.iter().map(|i| Attrs::from_ast(&cx, i)).collect();
        let external = Model::all(&cx, &external, &external_attrs);
        if let Err(err) = cx.check() {
            // The derive reports these with spans; the build step only refuses to go on.
            return Err(BuildError(format!("invalid model: {err}")));
        }
        // Relations find their target by the struct's name, so one name cannot mean two models.
        if let Some(clash) = models
            .iter()
            .find(|m| external.iter().any(|e| e.ident == m.ident))
        {
            return Err(BuildError(format!(
                "`{}` is a model of this crate and of a file given to `Build::extern_file`; relations find their target by name, so rename one of them",
                clash.ident
            )));
        }
        let schema = diesel_schema(&models, &external).map_err(|e| BuildError(e.0))?;
        let mut ddl = Vec::new();
        for d in Dialect::ALL {
            let mut stmts =
                create_statements(&models, &external, d).map_err(|e| BuildError(e.0))?;
            stmts.extend(content_type_rows(&models, d));
            ddl.push(quote!(&[#(#stmts),*]));
        }
        let [sqlite, postgres, mysql] = [&ddl[0], &ddl[1], &ddl[2]];
        let tokens = quote! {
            /// Diesel tables for every model, generated from the `#[derive(Model)]` structs.
            #[allow(missing_docs)]
            pub mod schema {
                #schema
            }
            /// The DDL that creates every model's table, for each backend.
            pub static MIGRATION: ::orm_core::Migration = ::orm_core::Migration {
                sqlite: #sqlite,
                postgres: #postgres,
                mysql: #mysql,
            };
        };
        Ok(format!(
            "// @generated by orm-codegen; do not edit.\n{tokens}\n"
        ))
    }
}

/// The content-type table every schema holds (orm-core's `Connection::content_type`): one row per
/// model, for generic relations.
fn content_type_model() -> syn::DeriveInput {
    syn::parse_quote! {
        #[derive(Model)]
        #[orm(table = "orm_content_type")]
        pub struct ContentType {
            pub id: i64,
            #[orm(unique)]
            pub model: String,
        }
    }
}

/// The variable cargo sets for a dependency's reported model files: `DEP_<LINKS>_MODELS`.
fn links_var(links: &str) -> String {
    format!("DEP_{}_MODELS", links.to_uppercase().replace('-', "_"))
}

/// The `#[derive(Model)]` structs of `files`.
fn read_models(files: &[PathBuf]) -> Result<Vec<syn::DeriveInput>, BuildError> {
    let mut inputs = Vec::new();
    for file in files {
        let src = std::fs::read_to_string(file)
            .map_err(|e| BuildError(format!("cannot read {}: {e}", file.display())))?;
        let ast =
            syn::parse_file(&src).map_err(|e| BuildError(format!("{}: {e}", file.display())))?;
        collect_models(&ast.items, &mut inputs);
    }
    Ok(inputs)
}

fn collect_models(items: &[syn::Item], out: &mut Vec<syn::DeriveInput>) {
    for item in items {
        match item {
            syn::Item::Struct(s) if derives_model(&s.attrs) => out.push(s.clone().into()),
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    collect_models(items, out);
                }
            }
            _ => {}
        }
    }
}

fn derives_model(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        if !attr.path().is_ident("derive") {
            return false;
        }
        let mut found = false;
        let _ = attr.parse_nested_meta(|meta| {
            if meta
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "Model")
            {
                found = true;
            }
            Ok(())
        });
        found
    })
}

#[cfg(test)]
mod tests {
    use super::Build;

    #[test]
    fn a_rebuild_without_a_model_change_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("orm-build-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let models = dir.join("models.rs");
        let model = "#[derive(Model)] pub struct Blog { pub id: i64 }";
        std::fs::write(&models, model).unwrap();
        let build = Build::new().file(&models);
        assert_eq!(
            build.rerun_if_changed(),
            [format!("cargo:rerun-if-changed={}", models.display())],
            "only the model files trigger the step"
        );
        assert!(build.write_into(&dir).unwrap(), "first build writes");
        let out = dir.join("orm_schema.rs");
        let stamp = std::fs::metadata(&out).unwrap().modified().unwrap();
        assert!(
            !build.write_into(&dir).unwrap(),
            "same models: nothing written"
        );
        assert_eq!(std::fs::metadata(&out).unwrap().modified().unwrap(), stamp);
        std::fs::write(&models, model.replace("Blog", "Post")).unwrap();
        assert!(build.write_into(&dir).unwrap(), "a model change rewrites");
        assert!(std::fs::read_to_string(&out).unwrap().contains("post"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn another_crates_models_are_read_for_references_and_left_out() {
        let dir = std::env::temp_dir().join(format!("orm-build-extern-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (accounts, models) = (dir.join("accounts.rs"), dir.join("models.rs"));
        let account = "#[derive(Model)] pub struct Account { pub id: i64 }";
        std::fs::write(&accounts, account).unwrap();
        std::fs::write(
            &models,
            "#[derive(Model)] pub struct Note { pub id: i64, #[foreign_key(Account)] pub account_id: i64 }",
        )
        .unwrap();
        let build = Build::new().file(&models).extern_file(&accounts);
        assert_eq!(
            build.rerun_if_changed().len(),
            2,
            "either file triggers the step"
        );
        // The DDL strings are Rust literals in the generated file, their quotes escaped.
        let code = build.render().unwrap();
        for want in [
            r#"CREATE TABLE \"note\""#,
            r#"REFERENCES \"account\" (\"id\")"#,
            r#"VALUES ('note')"#,
        ] {
            assert!(code.contains(want), "missing {want}: {code}");
        }
        for unwanted in [
            r#"CREATE TABLE \"account\""#,
            r#"CREATE TABLE \"orm_content_type\""#,
        ] {
            assert!(
                !code.contains(unwanted),
                "{unwanted} belongs to the other crate: {code}"
            );
        }
        let unlinked = Build::new()
            .file(&models)
            .extern_links("no-such-crate-models");
        let err = unlinked.render().unwrap_err().to_string();
        assert!(
            err.contains("DEP_NO_SUCH_CRATE_MODELS_MODELS is not set"),
            "{err}"
        );
        assert!(
            unlinked
                .rerun_if_changed()
                .contains(&"cargo:rerun-if-env-changed=DEP_NO_SUCH_CRATE_MODELS_MODELS".to_owned()),
            "a dependency's move reruns the step"
        );
        let nothing_here = Build::new().extern_file(&accounts).render().unwrap();
        assert!(
            !nothing_here.contains("INSERT"),
            "no models, no rows: {nothing_here}"
        );
        let err = Build::new().file(&models).render().unwrap_err();
        assert!(err.to_string().contains("Build::extern_file"), "{err}");
        let twice = Build::new()
            .file(&models)
            .file(&accounts)
            .extern_file(&accounts)
            .render()
            .unwrap_err();
        assert!(
            twice
                .to_string()
                .contains("`Account` is a model of this crate"),
            "{twice}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
