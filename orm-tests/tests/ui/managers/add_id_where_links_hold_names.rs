use orm_core::prelude::*;

#[derive(Model)]
pub struct Ingredient {
    pub id: i64,
    #[orm(unique)]
    pub iname: String,
}

#[derive(Model)]
#[many_to_many(Ingredient, name = ingredients, through = RecipeIngredient)]
pub struct Recipe {
    pub id: i64,
    #[orm(unique)]
    pub rname: String,
}

#[derive(Model)]
pub struct RecipeIngredient {
    pub id: i64,
    #[foreign_key(Ingredient, to_field = iname)]
    pub ingredient_id: String,
    #[foreign_key(Recipe, to_field = rname)]
    pub recipe_id: String,
}

// The links hold names: an ingredient's id names nothing.
fn link(conn: &mut Connection, recipe: &Recipe, ingredient: &Ingredient) {
    recipe.ingredients().add(conn, [ingredient.id]).unwrap();
}

fn main() {}
