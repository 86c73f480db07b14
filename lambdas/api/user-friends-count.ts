// GET /users/{name}/friends-count?from&to&interval

import { friendsCountSeries, friendsCountView } from '../../queries/series';
import { userHistoryHandler } from './user-history-route';

export const handler = userHistoryHandler('UserFriendsCount', friendsCountSeries, friendsCountView);
