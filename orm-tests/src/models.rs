//! The models the behaviour tests use: every column type, every kind of key, every `on_delete`.

use chrono::{NaiveDate, NaiveDateTime};
use orm_core::prelude::*;
use uuid::Uuid;

/// A blog; prefetched entries can be stored under `latest_entries` and `popular_entries`.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(to_attr(latest_entries, popular_entries))]
pub struct Blog {
    pub id: i64,
    #[orm(unique)]
    pub name: String,
    #[orm(default = "")]
    pub tagline: String,
}

/// An entry of a blog; deleting the blog deletes its entries. A prefetch of a few of the blogs
/// can be stored under `featured_blog`.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(to_attr(featured_blog))]
pub struct Entry {
    pub id: i64,
    #[foreign_key(Blog, related_name = entries, on_delete = Cascade)]
    pub blog_id: i64,
    pub headline: String,
    #[orm(column = "n_comments", default = 0)]
    pub comments: i32,
    pub rating: Option<f64>,
    #[orm(default = false)]
    pub published: bool,
    #[orm(index)]
    pub pub_date: Option<NaiveDate>,
}

/// An author, with a 32-bit key.
#[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
pub struct Author {
    pub id: i32,
    pub name: String,
}

/// A book: its author is protected, its editor is cleared when deleted. Its save hooks refuse an
/// empty title and count saves (see [`book_saves`]).
#[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
#[orm(table = "library_book", hooks)]
#[generic_relation(TaggedItem, name = tags, related_query_name = books)]
pub struct Book {
    pub id: i64,
    #[foreign_key(Author, on_delete = Protect)]
    pub author_id: i32,
    #[foreign_key(Author, related_name = edited_books, on_delete = SetNull)]
    pub editor_id: Option<i32>,
    pub title: String,
}

thread_local! {
    static BOOK_SAVES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many times this thread's `Book` save hooks ran (`before_save` and `after_save` each
/// count one).
pub fn book_saves() -> usize {
    BOOK_SAVES.with(|c| c.get())
}

impl orm_core::SaveHooks for Book {
    fn before_save(&self, _conn: &mut Connection) -> orm_core::Result<()> {
        if self.title.is_empty() {
            return Err(orm_core::Error::InvalidInput("a book needs a title".into()));
        }
        BOOK_SAVES.with(|c| c.set(c.get() + 1));
        Ok(())
    }

    fn after_save(&self, _conn: &mut Connection) -> orm_core::Result<()> {
        BOOK_SAVES.with(|c| c.set(c.get() + 1));
        Ok(())
    }
}

/// A review restricts deleting its book.
#[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
pub struct Review {
    pub id: i64,
    #[foreign_key(Book, on_delete = Restrict)]
    pub book_id: i64,
    pub stars: i16,
}

/// A tag, keyed by its slug.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Tag {
    #[orm(primary_key)]
    pub slug: String,
    pub label: String,
}

/// A document, keyed by a UUID, optionally tagged (a text foreign key), with generic tags too.
#[derive(Model, Debug, Clone, PartialEq)]
#[generic_relation(TaggedItem, name = tags)]
#[generic_relation(Activity, name = activities)]
pub struct Document {
    #[orm(primary_key)]
    pub uid: Uuid,
    pub title: String,
    #[foreign_key(Tag, related_name = documents, on_delete = SetNull)]
    pub tag_slug: Option<String>,
}

/// A tree: deleting a category deletes its subtree.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Category {
    pub id: i64,
    pub name: String,
    #[foreign_key(Category, related_name = children)]
    pub parent_id: Option<i64>,
}

/// One column of every supported type.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct AllTypes {
    pub id: i64,
    pub small: i16,
    pub int: i32,
    pub big: i64,
    pub float: f32,
    pub double: f64,
    pub flag: bool,
    pub text: String,
    pub bytes: Vec<u8>,
    pub at: NaiveDateTime,
    pub day: NaiveDate,
    pub uid: Uuid,
    pub maybe_int: Option<i32>,
    pub maybe_text: Option<String>,
    pub maybe_at: Option<NaiveDateTime>,
    pub maybe_uid: Option<Uuid>,
}

/// A topping.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Topping {
    pub id: i64,
    pub name: String,
}

/// A pizza; its toppings live in an auto-created join table (`pizza_toppings`).
#[derive(Model, Debug, Clone, PartialEq)]
#[many_to_many(Topping, name = toppings, related_name = pizzas)]
pub struct Pizza {
    pub id: i64,
    pub name: String,
}

/// A person: friendship goes both ways (symmetrical); following does not.
#[derive(Model, Debug, Clone, PartialEq)]
#[many_to_many(Self, name = friends)]
#[many_to_many(Self, name = following, related_name = followers, symmetrical = false)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

/// A group of people, through memberships that carry a required date. `first_members` names a
/// prefetch of a few of them.
#[derive(Model, Debug, Clone, PartialEq)]
#[many_to_many(Person, name = members, related_name = groups, through = Membership)]
#[orm(to_attr(first_members))]
pub struct Group {
    pub id: i64,
    pub name: String,
}

/// The through model of `Group.members`: `date_joined` is required, `invite_reason` is not.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Membership {
    pub id: i64,
    #[foreign_key(Group)]
    pub group_id: i64,
    #[foreign_key(Person)]
    pub person_id: i64,
    pub date_joined: NaiveDate,
    pub invite_reason: Option<String>,
}

/// A chapter of a course; its slides are ordered through `SlideOrder` (the seed's question).
#[derive(Model, Debug, Clone, PartialEq)]
#[many_to_many(Slide, name = slides, related_name = chapters, through = SlideOrder)]
pub struct Chapter {
    pub id: i64,
    pub title: String,
}

/// A slide, in any number of chapters.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Slide {
    pub id: i64,
    pub title: String,
}

/// Where a slide sits in a chapter; every extra field is optional, so links can be added
/// without `through_defaults`.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct SlideOrder {
    pub id: i64,
    #[foreign_key(Chapter)]
    pub chapter_id: i64,
    #[foreign_key(Slide)]
    pub slide_id: i64,
    pub number: Option<i32>,
}

/// A club whose members join through `ClubMembership`, which also records who invited them.
#[derive(Model, Debug, Clone, PartialEq)]
#[many_to_many(Person, name = club_members, related_name = clubs, through = ClubMembership)]
pub struct Club {
    pub id: i64,
    pub name: String,
}

/// Two keys to `Person` (the member and the inviter): `through_fields` says which two link the
/// many-to-many, by field (`club_id`) or, as Django, by relation (`club`); the inviter is a
/// through field like any other.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(through_fields(club, person))]
pub struct ClubMembership {
    pub id: i64,
    #[foreign_key(Club)]
    pub club_id: i64,
    #[foreign_key(Person, related_name = club_memberships)]
    pub person_id: i64,
    #[foreign_key(Person, related_name = invitations_sent)]
    pub inviter_id: i64,
    pub reason: Option<String>,
}

/// A ticket: when its assignee is deleted it goes back to person 1, the default key (Django's
/// `SET_DEFAULT`).
#[derive(Model, Debug, Clone, PartialEq)]
#[generic_relation(Activity, name = activities)]
pub struct Ticket {
    pub id: i64,
    #[foreign_key(Person, related_name = tickets, on_delete = SetDefault)]
    #[orm(default = 1)]
    pub assignee_id: i64,
    pub title: String,
}

/// A tag on anything: a book, a tag, a document (seed 000's `TaggedItem`).
#[derive(Model, Debug, Clone, PartialEq)]
#[generic_foreign_key(content_object)]
pub struct TaggedItem {
    pub id: i64,
    pub label: String,
    pub content_type_id: i64,
    pub object_id: String,
}

/// Something that happened, to a ticket, a document, or nothing in particular: a nullable generic
/// foreign key (Django's `GenericForeignKey` over two `null=True` fields).
#[derive(Model, Debug, Clone, PartialEq)]
#[generic_foreign_key(target, content_type = target_type, object_id = target_id)]
pub struct Activity {
    pub id: i64,
    pub verb: String,
    pub target_type: Option<i64>,
    pub target_id: Option<String>,
}

/// A place, with at most one restaurant and at most one underground bar (Django's one-to-one
/// example).
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Place {
    pub id: i64,
    pub name: String,
}

/// A restaurant on a place: a one-to-one, so `place.restaurant(conn)` is one row or none.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Restaurant {
    pub id: i64,
    #[one_to_one(Place)]
    pub place_id: i64,
    pub serves_pizza: bool,
}

/// A waiter of a restaurant: a plain foreign key behind the one-to-one, for nested paths.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Waiter {
    pub id: i64,
    #[foreign_key(Restaurant, related_name = waiters)]
    pub restaurant_id: i64,
    pub name: String,
}

/// A bar that may have no place: a nullable one-to-one that outlives its place.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct UndergroundBar {
    pub id: i64,
    #[one_to_one(Place, related_name = bar, on_delete = SetNull)]
    pub place_id: Option<i64>,
    pub name: String,
}

/// An artist: deleting one deletes its albums and its songs (Django's `RESTRICT` example).
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Artist {
    pub id: i64,
    pub name: String,
}

/// An album of an artist.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Album {
    pub id: i64,
    #[foreign_key(Artist, on_delete = Cascade)]
    pub artist_id: i64,
    pub title: String,
}

/// A song: its album cannot be deleted while it is there (`Restrict`), unless the same delete
/// takes the song too, through its artist.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Song {
    pub id: i64,
    #[foreign_key(Artist, on_delete = Cascade)]
    pub artist_id: i64,
    #[foreign_key(Album, on_delete = Restrict)]
    pub album_id: i64,
    pub title: String,
}

/// A country, known by its unique code: the target of `to_field` keys.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Country {
    pub id: i64,
    #[orm(unique)]
    pub code: String,
    pub name: String,
}

/// A city: its keys hold its country's code (`to_field = code`), not its id (Django's
/// `ForeignKey(Country, to_field="code")`). Deleting the country deletes its cities and clears
/// the twin key of the cities twinned with it.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct City {
    pub id: i64,
    #[foreign_key(Country, to_field = code, related_name = cities, on_delete = Cascade)]
    pub country_id: String,
    #[foreign_key(Country, to_field = code, related_name = twinned_cities, on_delete = SetNull)]
    pub twin_id: Option<String>,
    pub name: String,
}

/// A country's capital: a one-to-one that holds the country's code.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Capital {
    pub id: i64,
    #[one_to_one(Country, to_field = code, related_name = capital)]
    pub country_id: String,
    pub name: String,
}

/// An ingredient, known by its unique name (Django's `m2m_through` `Ingredient`).
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Ingredient {
    pub id: i64,
    #[orm(unique)]
    pub iname: String,
}

/// A recipe whose ingredients are linked by name, not by id: the through model's keys hold
/// `rname` and `iname` (`to_field`).
#[derive(Model, Debug, Clone, PartialEq)]
#[many_to_many(Ingredient, name = ingredients, related_name = recipes, through = RecipeIngredient)]
pub struct Recipe {
    pub id: i64,
    #[orm(unique)]
    pub rname: String,
}

/// A link between a recipe and an ingredient, holding both names; the amount is optional.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct RecipeIngredient {
    pub id: i64,
    #[foreign_key(Ingredient, to_field = iname)]
    pub ingredient_id: String,
    #[foreign_key(Recipe, to_field = rname)]
    pub recipe_id: String,
    pub amount: Option<i32>,
}

/// A writer with favourite writers, linked by name (Django's `prefetch_related`
/// `Author.favorite_authors`, through `FavoriteAuthors` with `to_field="name"`).
#[derive(Model, Debug, Clone, PartialEq)]
#[many_to_many(Self, name = favorite_authors, related_name = favors_me, symmetrical = false, through = FavoriteAuthor)]
pub struct Writer {
    pub id: i64,
    #[orm(unique)]
    pub name: String,
}

/// `author` likes `likes_author`, by name.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct FavoriteAuthor {
    pub id: i64,
    #[foreign_key(Writer, to_field = name, related_name = favorite_links)]
    pub author_id: String,
    #[foreign_key(Writer, to_field = name, related_name = favored_links)]
    pub likes_author_id: String,
}

/// A band: Django's `PROTECT` example, twice over. Deleting a band deletes its records and
/// its tracks, but a record cannot go while a track protects it, whichever table sorts first:
/// `track` sorts after `record`, `aa_early_track` before it.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Band {
    pub id: i64,
    pub name: String,
}

/// A record of a band.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Record {
    pub id: i64,
    #[foreign_key(Band, on_delete = Cascade)]
    pub band_id: i64,
    pub title: String,
}

/// A track of a band, which protects its record.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Track {
    pub id: i64,
    #[foreign_key(Band, on_delete = Cascade)]
    pub band_id: i64,
    #[foreign_key(Record, on_delete = Protect)]
    pub record_id: i64,
    pub title: String,
}

/// [`Track`] again, in a table that sorts before `record`.
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "aa_early_track")]
pub struct EarlyTrack {
    pub id: i64,
    #[foreign_key(Band, on_delete = Cascade)]
    pub band_id: i64,
    #[foreign_key(Record, on_delete = Protect)]
    pub record_id: i64,
    pub title: String,
}

/// A coupon: a short unique code and a few bytes of data, both bounded (`max_length`).
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Coupon {
    pub id: i64,
    #[orm(unique, max_length = 8)]
    pub code: String,
    #[orm(max_length = 4)]
    pub data: Vec<u8>,
    pub note: Option<String>,
}

/// A desk, which chairs may stand at.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Desk {
    pub id: i64,
    pub name: String,
}

/// A chair: when its desk is deleted it stands nowhere, its key's default (Django's
/// `SET_DEFAULT` with `default=None`); when its spare desk is deleted, the spare is the
/// fallback desk (Django's `SET(callable)`).
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Chair {
    pub id: i64,
    #[foreign_key(Desk, related_name = chairs, on_delete = SetDefault)]
    #[orm(default = None)]
    pub desk_id: Option<i64>,
    #[foreign_key(Desk, related_name = spare_chairs, on_delete = Set(fallback_desk()))]
    pub spare_desk_id: Option<i64>,
}

/// The desk a chair's spare falls back to: the first one.
pub fn fallback_desk() -> i64 {
    1
}

/// A tune, which playlists list.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Tune {
    pub id: i64,
    pub name: String,
}

/// A playlist: a tune may be on it twice (its through model allows duplicate links).
#[derive(Model, Debug, Clone, PartialEq)]
#[many_to_many(Tune, name = tunes, related_name = playlists, through = PlaylistEntry)]
pub struct Playlist {
    pub id: i64,
    pub name: String,
}

/// One place of a tune on a playlist; the same tune may come twice (Django's default for a
/// through model).
#[derive(Model, Debug, Clone, PartialEq)]
#[orm(duplicate_links)]
pub struct PlaylistEntry {
    pub id: i64,
    #[foreign_key(Playlist)]
    pub playlist_id: i64,
    #[foreign_key(Tune)]
    pub tune_id: i64,
}
