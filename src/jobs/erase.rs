//! The lookup as the kind definitions see it: one concrete type, [`DynLookup`], so a
//! kind's row, detail and failure functions are plain function pointers in its
//! definition. [`erased`] wraps any [`Lookup`]: the first error it returns is kept
//! aside while a [`Stashed`] marker travels up through the kind's code, and comes
//! back out as the lookup's own error.

use super::{JobList, Lookup};
use crate::api::Kind;
use crate::api::types::ProjectInfo;
use crate::view::{Chip, TriggerView};
use std::cell::Cell;

/// A lookup error, kept aside by `erased` until the kind's function returns.
#[derive(Debug)]
pub struct Stashed(());

/// The lookup the kind definitions are given.
pub type DynLookup<'a> = dyn Lookup<Error = Stashed> + 'a;

/// A lookup whose errors are kept aside.
struct Erased<'a, L: Lookup + ?Sized> {
    inner: &'a L,
    error: Cell<Option<L::Error>>,
}

impl<L: Lookup + ?Sized> Erased<'_, L> {
    fn keep<T>(&self, r: Result<T, L::Error>) -> Result<T, Stashed> {
        r.map_err(|e| {
            self.error.set(Some(e));
            Stashed(())
        })
    }
}

impl<L: Lookup + ?Sized> Lookup for Erased<'_, L> {
    type Error = Stashed;

    fn job_chip(
        &self,
        kind: Kind,
        id: Option<i64>,
        status: &str,
        text: &str,
    ) -> Result<Chip, Stashed> {
        self.keep(self.inner.job_chip(kind, id, status, text))
    }

    fn trigger(&self, info: &ProjectInfo) -> Option<TriggerView> {
        self.inner.trigger(info)
    }

    fn has_detail(&self, list: JobList, id: i64) -> bool {
        self.inner.has_detail(list, id)
    }

    fn status_of(
        &self,
        kind: Kind,
        id: i64,
    ) -> Result<Option<(Option<String>, Option<String>)>, Stashed> {
        self.keep(self.inner.status_of(kind, id))
    }

    fn history(
        &self,
        kind: Kind,
        id: &str,
    ) -> Result<Vec<(i64, Option<String>, Option<String>)>, Stashed> {
        self.keep(self.inner.history(kind, id))
    }

    fn log_texts(&self, kind: Kind, id: i64) -> Result<Vec<(String, String)>, Stashed> {
        self.keep(self.inner.log_texts(kind, id))
    }

    fn entity_json(&self, kind: Kind, id: i64) -> Result<Option<String>, Stashed> {
        self.keep(self.inner.entity_json(kind, id))
    }
}

/// Runs `f` with `lk` as a [`DynLookup`]; an error `f` returns is the one `lk` gave.
pub(super) fn erased<L: Lookup + ?Sized, T>(
    lk: &L,
    f: impl FnOnce(&DynLookup<'_>) -> Result<T, Stashed>,
) -> Result<T, L::Error> {
    let e = Erased {
        inner: lk,
        error: Cell::new(None),
    };
    f(&e).map_err(|Stashed(())| {
        e.error
            .take()
            .expect("a Stashed marker is only made when an error is kept")
    })
}

#[cfg(test)]
mod tests {
    use super::super::failure::fake::Fake;
    use super::*;

    /// A lookup whose every fallible answer is an error.
    struct Failing;

    impl Lookup for Failing {
        type Error = String;
        fn job_chip(&self, kind: Kind, _: Option<i64>, _: &str, _: &str) -> Result<Chip, String> {
            Err(format!("no chip for {kind}"))
        }
        fn trigger(&self, _: &ProjectInfo) -> Option<TriggerView> {
            None
        }
        fn has_detail(&self, _: JobList, _: i64) -> bool {
            false
        }
        #[allow(clippy::type_complexity)]
        fn status_of(
            &self,
            _: Kind,
            _: i64,
        ) -> Result<Option<(Option<String>, Option<String>)>, String> {
            Err("status".into())
        }
        #[allow(clippy::type_complexity)]
        fn history(
            &self,
            _: Kind,
            _: &str,
        ) -> Result<Vec<(i64, Option<String>, Option<String>)>, String> {
            Err("history".into())
        }
        fn log_texts(&self, _: Kind, _: i64) -> Result<Vec<(String, String)>, String> {
            Err("logs".into())
        }
        fn entity_json(&self, _: Kind, _: i64) -> Result<Option<String>, String> {
            Err("json".into())
        }
    }

    #[test]
    fn the_lookups_own_error_comes_back() {
        let r = erased(&Failing, |lk| lk.job_chip(Kind::Srpm, Some(1), "", ""));
        assert_eq!(r.unwrap_err(), "no chip for srpm");
        let r = erased(&Failing, |lk| {
            let _ = lk.history(Kind::Copr, "1");
            lk.log_texts(Kind::Copr, 1)
        });
        assert_eq!(r.unwrap_err(), "logs");
    }

    #[test]
    fn answers_pass_through() {
        let fake = Fake::default();
        let r = erased(&fake, |lk| Ok(lk.has_detail(JobList::Copr, 1)));
        assert_eq!(r.unwrap(), fake.has_detail(JobList::Copr, 1));
    }
}
