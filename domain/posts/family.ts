// The posts family as the shared layers see it: one kind (`post`), one rejection reason of its own
// (`duplicate_post`: a known post id with another user or content), and two figure sets per 5-second
// bucket of the post's time: every post together (one key, ALL_POSTS_KEY) and per writer (keyed by the
// user's name), each counting posts, words and the words' total length.
import type { FamilyDef } from '../family';
import type { FigureSet } from '../figures';

export const POSTS_ALL_FIGURES: FigureSet = { id: 'posts.all', columns: ['posts', 'words', 'length'] };
export const POSTS_USER_FIGURES: FigureSet = { id: 'posts.user', columns: ['posts', 'words', 'length'] };
/** Column indexes of both sets. */
export const W = { posts: 0, words: 1, length: 2 } as const;
/** The one key of POSTS_ALL_FIGURES. */
export const ALL_POSTS_KEY = '*';

export const POSTS: FamilyDef = {
  name: 'posts',
  types: ['post'],
  reasons: ['duplicate_post'],
  sets: [POSTS_ALL_FIGURES, POSTS_USER_FIGURES],
};
