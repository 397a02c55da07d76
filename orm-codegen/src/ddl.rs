//! DDL for each backend, from the models of one crate.

use std::collections::HashMap;
use std::fmt::Write;

use crate::attr::{DefaultValue, OnDelete};
use crate::model::{Field, ManyToMany, Model};
use crate::types::ColumnType;

/// A SQL dialect.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
    Mysql,
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }

    fn quote(self, ident: &str) -> String {
        match self {
            Dialect::Mysql => format!("`{}`", ident.replace('`', "``")),
            _ => format!("\"{}\"", ident.replace('"', "\"\"")),
        }
    }
}

/// A problem that makes the DDL impossible to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DdlError(pub String);

impl std::fmt::Display for DdlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every model by name: this crate's, and `external` ones (another crate's, which its own
/// migration creates) that relations may point at.
pub fn by_name<'m, 'a>(
    models: &'m [Model<'a>],
    external: &'m [Model<'a>],
) -> HashMap<String, &'m Model<'a>> {
    external
        .iter()
        .chain(models)
        .map(|m| (m.ident.to_string(), m))
        .collect()
}

/// The statements that create every model's table, in dependency order. Relations may point at
/// `external` models, whose tables exist already.
pub fn create_statements(
    models: &[Model<'_>],
    external: &[Model<'_>],
    d: Dialect,
) -> Result<Vec<String>, DdlError> {
    let by_name = by_name(models, external);
    let mut out = Vec::new();
    let mut joins = Vec::new();
    for model in dependency_order(models, external, &by_name)? {
        for m in &model.many_to_many {
            joins.extend(join_table(model, m, &by_name, d)?);
        }
        out.push(create_table(model, &by_name, d)?);
        generic_indexes(model, d, &mut out);
        for field in &model.fields {
            if field.primary_key || field.unique {
                continue;
            }
            if field.index || field.relation.is_some() {
                out.push(format!(
                    "CREATE INDEX {} ON {} ({})",
                    d.quote(&format!("{}_{}_idx", model.table, field.column)),
                    d.quote(&model.table),
                    d.quote(&field.column)
                ));
            }
        }
    }
    out.extend(joins);
    Ok(out)
}

/// An index on a generic foreign key's two columns, which every lookup of a target's rows uses.
fn generic_indexes(model: &Model<'_>, d: Dialect, out: &mut Vec<String>) {
    for g in model.generic_foreign_keys {
        let column = |ident: &syn::Ident| {
            model
                .fields
                .iter()
                .find(|f| f.ident == ident)
                .map_or_else(|| ident.to_string(), |f| f.column.clone())
        };
        let (ct, id) = (column(&g.content_type), column(&g.object_id));
        out.push(format!(
            "CREATE INDEX {} ON {} ({}, {})",
            d.quote(&format!("{}_{}_idx", model.table, g.name)),
            d.quote(&model.table),
            d.quote(&ct),
            d.quote(&id)
        ));
    }
}

/// A many-to-many's join table: created for an auto table (two keys, both the primary key, each
/// cascading), or a unique index on a through model's two keys, so adding a link twice is a
/// no-op on every backend (a plain index with `#[orm(duplicate_links)]`).
fn join_table(
    model: &Model<'_>,
    m: &ManyToMany<'_>,
    by_name: &HashMap<String, &Model<'_>>,
    d: Dialect,
) -> Result<Vec<String>, DdlError> {
    let other = if m.self_referential {
        model
    } else {
        target(m.target, by_name)?
    };
    if let Some(through) = m.through {
        let t = target(through, by_name)?;
        let points = |fk: &crate::model::ForeignKey<'_>| {
            let name = fk.target.segments.last().map(|s| s.ident.to_string());
            name.as_deref() == Some(&model.ident.to_string())
                || name.as_deref() == Some(&other.ident.to_string())
        };
        let mut keys = t
            .link_keys()
            .into_iter()
            .flatten()
            .filter(|(_, fk)| points(fk))
            .map(|(f, _)| f);
        let (Some(a), Some(b)) = (keys.next(), keys.next()) else {
            return Err(DdlError(format!(
                "`{}` is the through model of `{}.{}` but lacks a foreign key to each side",
                t.ident, model.ident, m.name
            )));
        };
        let (index, suffix) = match t.duplicate_links {
            true => ("INDEX", "idx"),
            false => ("UNIQUE INDEX", "uniq"),
        };
        return Ok(vec![format!(
            "CREATE {index} {} ON {} ({}, {})",
            d.quote(&format!("{}_{}_{}_{suffix}", t.table, a.column, b.column)),
            d.quote(&t.table),
            d.quote(&a.column),
            d.quote(&b.column)
        )]);
    }
    let side = |column: &str, of: &Model<'_>| {
        let pk = of.pk();
        (
            format!("{} {} NOT NULL", d.quote(column), sql_type(pk, d)),
            format!(
                "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE CASCADE",
                d.quote(&format!("{}_{}_fk", m.table, column)),
                d.quote(column),
                d.quote(&of.table),
                d.quote(&pk.column)
            ),
        )
    };
    let (source_col, source_fk) = side(&m.source_column, model);
    let (target_col, target_fk) = side(&m.target_column, other);
    Ok(vec![
        format!(
            "CREATE TABLE {} (\n    {source_col},\n    {target_col},\n    PRIMARY KEY ({}, {}),\n    {source_fk},\n    {target_fk}\n)",
            d.quote(&m.table),
            d.quote(&m.source_column),
            d.quote(&m.target_column),
        ),
        format!(
            "CREATE INDEX {} ON {} ({})",
            d.quote(&format!("{}_{}_idx", m.table, m.target_column)),
            d.quote(&m.table),
            d.quote(&m.target_column)
        ),
    ])
}

/// The model a foreign key points at, by the last segment of its path.
pub fn target<'m, 'a>(
    path: &syn::Path,
    by_name: &HashMap<String, &'m Model<'a>>,
) -> Result<&'m Model<'a>, DdlError> {
    let name = path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    by_name.get(&name).copied().ok_or_else(|| {
        DdlError(format!(
            "foreign key to `{name}`, which is not a #[derive(Model)] struct in the files given to the schema build step (for a model of another crate, add its file with `Build::extern_file` or `Build::extern_links`)"
        ))
    })
}

/// The target column a foreign key references: the primary key, or the `to_field`, which must
/// be unique (a database refuses a foreign key to a column that is not).
fn referenced_column<'t>(
    model: &Model<'_>,
    field: &crate::model::Field<'_>,
    fk: &crate::model::ForeignKey<'_>,
    t: &'t Model<'_>,
) -> Result<&'t str, DdlError> {
    let Some(name) = fk.to_field else {
        return Ok(&t.pk().column);
    };
    let Some(to) = t.fields.iter().find(|f| f.ident == name) else {
        return Err(DdlError(format!(
            "`{}.{}` has `to_field = {name}`, but `{}` has no field `{name}`",
            model.ident, field.ident, t.ident
        )));
    };
    if !(to.primary_key || to.unique) {
        return Err(DdlError(format!(
            "`{}.{}` has `to_field = {name}`, so `{}.{name}` must be unique: mark it `#[orm(unique)]`",
            model.ident, field.ident, t.ident
        )));
    }
    Ok(&to.column)
}

fn dependency_order<'m, 'a>(
    models: &'m [Model<'a>],
    external: &'m [Model<'a>],
    by_name: &HashMap<String, &'m Model<'a>>,
) -> Result<Vec<&'m Model<'a>>, DdlError> {
    let mut done: Vec<&str> = external.iter().map(|m| m.table.as_str()).collect();
    let mut order = Vec::new();
    let mut pending: Vec<&Model<'_>> = models.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for model in pending {
            let mut ready = true;
            for (_, fk) in model.foreign_keys() {
                let t = target(fk.target, by_name)?;
                if t.table != model.table && !done.contains(&t.table.as_str()) {
                    ready = false;
                }
            }
            if ready {
                done.push(&model.table);
                order.push(model);
            } else {
                rest.push(model);
            }
        }
        if rest.len() == before {
            let names: Vec<String> = rest.iter().map(|m| m.ident.to_string()).collect();
            return Err(DdlError(format!(
                "foreign keys form a cycle between {}; make one of them nullable and set it after creating both rows",
                names.join(", ")
            )));
        }
        pending = rest;
    }
    Ok(order)
}

fn create_table(
    model: &Model<'_>,
    by_name: &HashMap<String, &Model<'_>>,
    d: Dialect,
) -> Result<String, DdlError> {
    let mut lines: Vec<String> = model.fields.iter().map(|f| column(f, d)).collect();
    for (field, fk) in model.foreign_keys() {
        let t = target(fk.target, by_name)?;
        let held = referenced_column(model, field, fk, t)?;
        if let Some(to) = t.fields.iter().find(|f| f.column == held) {
            if let (Some(have), Some(need)) = (field.length_limit(), to.length_limit()) {
                if have < need {
                    return Err(DdlError(format!(
                        "`{}.{}` holds at most {have} characters, but the `{}.{}` it points at up to {need}; give it `#[orm(max_length = {need})]`",
                        model.ident, field.ident, t.ident, to.ident
                    )));
                }
            }
        }
        let mut line = format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
            d.quote(&format!("{}_{}_fk", model.table, field.column)),
            d.quote(&field.column),
            d.quote(&t.table),
            d.quote(held)
        );
        let action = match fk.on_delete {
            OnDelete::Cascade => Some("CASCADE"),
            OnDelete::SetNull => Some("SET NULL"),
            OnDelete::Protect | OnDelete::Restrict => Some("RESTRICT"),
            // Done by the delete itself, as Django does: MySQL's InnoDB refuses SET DEFAULT.
            OnDelete::SetDefault | OnDelete::Set | OnDelete::DoNothing => None,
        };
        if let Some(action) = action {
            let _ = write!(line, " ON DELETE {action}");
        }
        lines.push(line);
    }
    Ok(format!(
        "CREATE TABLE {} (\n    {}\n)",
        d.quote(&model.table),
        lines.join(",\n    ")
    ))
}

/// A column's definition.
fn column(field: &Field<'_>, d: Dialect) -> String {
    let name = d.quote(&field.column);
    if field.auto_increment {
        return match d {
            // A SQLite key is 64 bits whatever the declared type: a narrower field's key stops
            // at its type's largest value, as on the other backends.
            Dialect::Sqlite => match field.kind {
                ColumnType::SmallInt => format!(
                    "{name} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL CHECK ({name} <= {})",
                    i16::MAX
                ),
                ColumnType::Integer => format!(
                    "{name} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL CHECK ({name} <= {})",
                    i32::MAX
                ),
                _ => format!("{name} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"),
            },
            Dialect::Postgres => format!(
                "{name} {} GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                sql_type(field, d)
            ),
            Dialect::Mysql => format!(
                "{name} {} NOT NULL AUTO_INCREMENT PRIMARY KEY",
                sql_type(field, d)
            ),
        };
    }
    let mut out = format!("{name} {}", sql_type(field, d));
    if field.primary_key {
        out.push_str(" NOT NULL PRIMARY KEY");
    } else if !field.nullable {
        out.push_str(" NOT NULL");
    }
    if field.unique {
        out.push_str(" UNIQUE");
    }
    if let Some((default, _)) = field.default {
        let value = default_sql(default, d);
        // MySQL takes a default on a `LONGTEXT` or `LONGBLOB` only as an expression.
        if d == Dialect::Mysql
            && field.length_limit().is_none()
            && matches!(field.kind, ColumnType::Text | ColumnType::Binary)
        {
            let _ = write!(out, " DEFAULT ({value})");
        } else {
            let _ = write!(out, " DEFAULT {value}");
        }
    }
    out
}

/// A column holding a key: a primary key, a foreign key, a generic object id, or a unique field
/// (which a `to_field` key may hold, from this crate or another). On MySQL its text compares
/// byte for byte, trailing spaces included (`utf8mb4_nopad_bin`), as on SQLite and PostgreSQL
/// and as `String`'s `Eq`: under MySQL's default, case-insensitive collation `"Rust"` and
/// `"rust"` would be one key to the database and two to the rows read back, and under a `PAD
/// SPACE` one (`utf8mb4_bin`) so would `"rust"` and `"rust "`. (MySQL also refuses a foreign
/// key between columns of two collations.) MariaDB names that collation `utf8mb4_nopad_bin`,
/// MySQL 8 `utf8mb4_0900_bin`: the DDL says the first, and `Migration::apply` writes the
/// second on MySQL.
fn holds_key(field: &Field<'_>) -> bool {
    field.primary_key || field.unique || field.relation.is_some() || field.generic_key
}

/// The collation of text key columns in the MySQL DDL (MariaDB's name).
pub const KEY_COLLATION: &str = "utf8mb4_nopad_bin";

fn sql_type(field: &Field<'_>, d: Dialect) -> String {
    use Dialect::*;
    let fixed = match (field.kind, d) {
        (ColumnType::SmallInt, _) => "SMALLINT",
        (ColumnType::Integer, Mysql) => "INT",
        (ColumnType::Integer, _) => "INTEGER",
        (ColumnType::BigInt, _) => "BIGINT",
        (ColumnType::Float, Mysql) => "FLOAT",
        (ColumnType::Float, _) => "REAL",
        (ColumnType::Double, Postgres) => "DOUBLE PRECISION",
        (ColumnType::Double, Mysql) => "DOUBLE",
        (ColumnType::Double, Sqlite) => "DOUBLE",
        (ColumnType::Bool, _) => "BOOLEAN",
        (ColumnType::Timestamp, Mysql) => "DATETIME(6)",
        (ColumnType::Timestamp, _) => "TIMESTAMP",
        (ColumnType::Date, _) => "DATE",
        (ColumnType::Uuid, Postgres) => "UUID",
        (ColumnType::Uuid, Mysql) => "BINARY(16)",
        (ColumnType::Uuid, Sqlite) => "BLOB",
        // Text and bytes: bounded by `max_length` (or as keys), else any length on every
        // backend (MySQL's `TEXT` and `BLOB` stop at 64 KiB; its `LONG` kinds at 4 GiB).
        (ColumnType::Text, _) => {
            return match (field.length_limit(), d) {
                (Some(n), Mysql) if holds_key(field) => {
                    format!("VARCHAR({n}) CHARACTER SET utf8mb4 COLLATE {KEY_COLLATION}")
                }
                (Some(n), _) => format!("VARCHAR({n})"),
                (None, Mysql) => "LONGTEXT".into(),
                (None, _) => "TEXT".into(),
            }
        }
        (ColumnType::Binary, Postgres) => "BYTEA",
        (ColumnType::Binary, Sqlite) => "BLOB",
        (ColumnType::Binary, Mysql) => {
            return match field.length_limit() {
                Some(n) => format!("VARBINARY({n})"),
                None => "LONGBLOB".into(),
            }
        }
    };
    fixed.into()
}

fn default_sql(default: &DefaultValue, d: Dialect) -> String {
    match default {
        DefaultValue::Int(i) => i.clone(),
        DefaultValue::Float(f) => f.clone(),
        DefaultValue::Bool(b) => match (d, b) {
            (Dialect::Sqlite, true) => "1".into(),
            (Dialect::Sqlite, false) => "0".into(),
            (_, true) => "TRUE".into(),
            (_, false) => "FALSE".into(),
        },
        DefaultValue::Str(s) => match d {
            Dialect::Mysql => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''")),
            _ => format!("'{}'", s.replace('\'', "''")),
        },
        DefaultValue::Null => "NULL".into(),
    }
}

/// One content-type row per model, so a schema starts with them (Django's `post_migrate`). Their
/// ids are still read per database (`Connection::content_type`), never assumed.
pub fn content_type_rows(models: &[Model<'_>], d: Dialect) -> Option<String> {
    if models.is_empty() {
        return None;
    }
    let rows: Vec<String> = models
        .iter()
        .map(|m| format!("('{}')", m.table.replace('\'', "''")))
        .collect();
    Some(format!(
        "INSERT INTO {} ({}) VALUES {}",
        d.quote("orm_content_type"),
        d.quote("model"),
        rows.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::{create_statements, Dialect};
    use crate::ctxt::Ctxt;
    use crate::model::{Attrs, Model};

    /// The statements for these structs, or the build step's error.
    fn ddl(src: &[&str]) -> Result<Vec<String>, String> {
        ddl_with(src, &[])
    }

    /// The statements for `src`, whose relations may point at the `external` structs.
    fn ddl_with(src: &[&str], external: &[&str]) -> Result<Vec<String>, String> {
        let parse = |src: &[&str]| -> Vec<syn::DeriveInput> {
            src.iter().map(|s| syn::parse_str(s).unwrap()).collect()
        };
        let (inputs, external) = (parse(src), parse(external));
        let cx = Ctxt::new();
        let attrs: Vec<Attrs> = inputs.iter().map(|i| Attrs::from_ast(&cx, i)).collect();
        let external_attrs: Vec<Attrs> = external.iter().map(|i| Attrs::from_ast(&cx, i)).collect();
        let models = Model::all(&cx, &inputs, &attrs);
        let external = Model::all(&cx, &external, &external_attrs);
        cx.check().unwrap();
        create_statements(&models, &external, Dialect::Postgres).map_err(|e| e.to_string())
    }

    #[test]
    fn relations_to_another_crates_models_reference_their_tables_without_creating_them() {
        let account =
            "#[derive(Model)] pub struct Account { pub id: i64, #[orm(unique)] pub name: String }";
        let team = "#[derive(Model)] #[orm(table = \"teams\")] pub struct Team { pub id: i32 }";
        let note = "#[derive(Model)] #[many_to_many(Team, name = teams, related_trait = HasNotes)] pub struct Note {
            pub id: i64,
            #[foreign_key(Account, related_trait = HasAccountNotes)] pub account_id: i64,
            #[foreign_key(Account, to_field = name, related_name = named, related_trait = Named)] pub by: String,
        }";
        let sql = ddl_with(&[note], &[account, team]).unwrap().join(";\n");
        assert!(!sql.contains("CREATE TABLE \"account\""), "{sql}");
        assert!(!sql.contains("CREATE TABLE \"teams\""), "{sql}");
        for want in [
            "CREATE TABLE \"note\"",
            "REFERENCES \"account\" (\"id\")",
            "REFERENCES \"account\" (\"name\")",
            "CREATE TABLE \"note_teams\"",
            "\"team_id\" INTEGER NOT NULL",
            "REFERENCES \"teams\" (\"id\")",
        ] {
            assert!(sql.contains(want), "missing {want}: {sql}");
        }
        let err = ddl_with(&[note], &[account]).unwrap_err();
        assert!(
            err.contains("`Team`") && err.contains("Build::extern_file"),
            "{err}"
        );
    }

    const CITY: &str =
        "struct City { id: i64, #[foreign_key(Country, to_field = code)] country_id: String }";

    #[test]
    fn a_to_field_key_references_that_column() {
        let country = "struct Country { id: i64, #[orm(unique)] code: String }";
        let stmts = ddl(&[country, CITY]).unwrap();
        assert!(
            stmts.iter().any(|s| s.contains(
                r#"FOREIGN KEY ("country_id") REFERENCES "country" ("code") ON DELETE CASCADE"#
            )),
            "{stmts:#?}"
        );
    }

    #[test]
    fn a_to_field_must_exist_and_be_unique() {
        let plain = "struct Country { id: i64, code: String }";
        assert_eq!(
            ddl(&[plain, CITY]).unwrap_err(),
            "`City.country_id` has `to_field = code`, so `Country.code` must be unique: mark it `#[orm(unique)]`"
        );
        let other = "struct Country { id: i64, #[orm(unique)] iso: String }";
        assert_eq!(
            ddl(&[other, CITY]).unwrap_err(),
            "`City.country_id` has `to_field = code`, but `Country` has no field `code`"
        );
    }
}
