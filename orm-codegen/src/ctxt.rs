//! Collects every error of one derive so the user sees all of them in one build.

use std::cell::RefCell;
use std::fmt::Display;

use quote::ToTokens;

/// Error collector. It must be consumed with [`Ctxt::check`]; dropping it unchecked is a bug in
/// the caller and panics (inside the proc macro, never at the user's run time).
#[derive(Debug, Default)]
pub struct Ctxt {
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Records an error spanned at `tokens`.
    pub fn error_spanned_by<A: ToTokens, T: Display>(&self, tokens: A, msg: T) {
        self.syn_error(syn::Error::new_spanned(tokens.into_token_stream(), msg));
    }

    /// Records an error built elsewhere.
    pub fn syn_error(&self, err: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(err);
        }
    }

    /// Consumes the context, combining every recorded error into one.
    pub fn check(self) -> syn::Result<()> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut iter = errors.into_iter();
        let Some(mut combined) = iter.next() else {
            return Ok(());
        };
        for rest in iter {
            combined.combine(rest);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("orm-codegen: Ctxt dropped without check()");
        }
    }
}
