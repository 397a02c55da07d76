//! Slot keys the trait solver can compare.
//!
//! A slot list has to answer "is `K` in here?" both ways: `get(K)` finds it, and a second
//! `.prefetch(K..)` must reuse the slot instead of adding another. Stable Rust has no type
//! inequality, so each key carries an identity made of types: 64 bits of a hash of its crate and
//! name, as a tree of [`B0`]/[`B1`] leaves ([`crate::slot_id!`] builds it). [`Id::Eq`] compares two
//! identities to a [`Bit`] by double dispatch, which impls can then select on.
//!
//! Two distinct keys whose hashes collide would compare equal. That cannot mislead: the impls
//! that act on "equal" also require the two key types to be the same, so a collision is a
//! compile error, never the wrong slot.

/// A type-level boolean.
pub trait Bit: 'static {
    /// Both bits set.
    type And<O: Bit>: Bit;
    /// Either bit set.
    type Or<O: Bit>: Bit;
}

/// Type-level false, and a zero leaf of an [`Id`].
#[derive(Debug, Clone, Copy)]
pub struct B0;
/// Type-level true, and a one leaf of an [`Id`].
#[derive(Debug, Clone, Copy)]
pub struct B1;

impl Bit for B0 {
    type And<O: Bit> = B0;
    type Or<O: Bit> = O;
}

impl Bit for B1 {
    type And<O: Bit> = O;
    type Or<O: Bit> = B1;
}

/// A key's identity: a leaf bit or a pair of identities.
pub trait Id: 'static {
    /// [`B1`] when `O` is the same identity, else [`B0`].
    type Eq<O: Id>: Bit;
    /// Whether `Self` is the leaf `B0`.
    #[doc(hidden)]
    type IsB0: Bit;
    /// Whether `Self` is the leaf `B1`.
    #[doc(hidden)]
    type IsB1: Bit;
    /// Whether `Self` is the pair `(A, B)`.
    #[doc(hidden)]
    type IsPair<A: Id, B: Id>: Bit;
}

impl Id for B0 {
    type Eq<O: Id> = O::IsB0;
    type IsB0 = B1;
    type IsB1 = B0;
    type IsPair<A: Id, B: Id> = B0;
}

impl Id for B1 {
    type Eq<O: Id> = O::IsB1;
    type IsB0 = B0;
    type IsB1 = B1;
    type IsPair<A: Id, B: Id> = B0;
}

impl<X: Id, Y: Id> Id for (X, Y) {
    type Eq<O: Id> = O::IsPair<X, Y>;
    type IsB0 = B0;
    type IsB1 = B0;
    type IsPair<A: Id, B: Id> = <X::Eq<A> as Bit>::And<Y::Eq<B>>;
}

/// Whether the slot keys `K` and `Q` have the same identity.
pub type Same<K, Q> = <<K as super::SlotName>::Id as Id>::Eq<<Q as super::SlotName>::Id>;

/// The [`Id`] type of 16 hex digits, as the derive writes it: `slot_id!(3 a 0 f ...)`.
#[doc(hidden)]
#[macro_export]
macro_rules! slot_id {
    ($a:tt $b:tt $c:tt $d:tt $e:tt $f:tt $g:tt $h:tt
     $i:tt $j:tt $k:tt $l:tt $m:tt $n:tt $o:tt $p:tt) => {
        (
            (
                (
                    ($crate::slot_id!(@ $a), $crate::slot_id!(@ $b)),
                    ($crate::slot_id!(@ $c), $crate::slot_id!(@ $d)),
                ),
                (
                    ($crate::slot_id!(@ $e), $crate::slot_id!(@ $f)),
                    ($crate::slot_id!(@ $g), $crate::slot_id!(@ $h)),
                ),
            ),
            (
                (
                    ($crate::slot_id!(@ $i), $crate::slot_id!(@ $j)),
                    ($crate::slot_id!(@ $k), $crate::slot_id!(@ $l)),
                ),
                (
                    ($crate::slot_id!(@ $m), $crate::slot_id!(@ $n)),
                    ($crate::slot_id!(@ $o), $crate::slot_id!(@ $p)),
                ),
            ),
        )
    };
    (@ 0) => { $crate::slot_id!(@@ B0 B0 B0 B0) };
    (@ 1) => { $crate::slot_id!(@@ B0 B0 B0 B1) };
    (@ 2) => { $crate::slot_id!(@@ B0 B0 B1 B0) };
    (@ 3) => { $crate::slot_id!(@@ B0 B0 B1 B1) };
    (@ 4) => { $crate::slot_id!(@@ B0 B1 B0 B0) };
    (@ 5) => { $crate::slot_id!(@@ B0 B1 B0 B1) };
    (@ 6) => { $crate::slot_id!(@@ B0 B1 B1 B0) };
    (@ 7) => { $crate::slot_id!(@@ B0 B1 B1 B1) };
    (@ 8) => { $crate::slot_id!(@@ B1 B0 B0 B0) };
    (@ 9) => { $crate::slot_id!(@@ B1 B0 B0 B1) };
    (@ a) => { $crate::slot_id!(@@ B1 B0 B1 B0) };
    (@ b) => { $crate::slot_id!(@@ B1 B0 B1 B1) };
    (@ c) => { $crate::slot_id!(@@ B1 B1 B0 B0) };
    (@ d) => { $crate::slot_id!(@@ B1 B1 B0 B1) };
    (@ e) => { $crate::slot_id!(@@ B1 B1 B1 B0) };
    (@ f) => { $crate::slot_id!(@@ B1 B1 B1 B1) };
    (@@ $w:ident $x:ident $y:ident $z:ident) => {
        (
            ($crate::prefetch::key::$w, $crate::prefetch::key::$x),
            ($crate::prefetch::key::$y, $crate::prefetch::key::$z),
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same<A: Id, B: Id>() -> bool
    where
        A::Eq<B>: Value,
    {
        <A::Eq<B> as Value>::VALUE
    }
    trait Value {
        const VALUE: bool;
    }
    impl Value for B0 {
        const VALUE: bool = false;
    }
    impl Value for B1 {
        const VALUE: bool = true;
    }

    #[test]
    fn identities_compare_by_structure() {
        type X = crate::slot_id!(0 1 2 3 4 5 6 7 8 9 a b c d e f);
        type Y = crate::slot_id!(0 1 2 3 4 5 6 7 8 9 a b c d e e);
        assert!(same::<X, X>());
        assert!(!same::<X, Y>());
        assert!(!same::<Y, X>());
        assert!(!same::<B0, (B0, B0)>());
        assert!(!same::<(B0, B0), B1>());
        assert!(same::<(X, Y), (X, Y)>());
        assert!(!same::<(X, Y), (Y, X)>());
    }
}
