import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Portal users. `email` is stored lower-cased; `passwordHash` is argon2id (PHC string). */
export const users = pgTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
