// GET /users/{name}/referrals?from&to&interval

import { referralSeries, referralsView } from '../../queries/series';
import { userHistoryHandler } from './user-history-route';

export const handler = userHistoryHandler('UserReferrals', referralSeries, referralsView);
