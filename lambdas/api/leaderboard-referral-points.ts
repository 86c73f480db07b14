// GET /leaderboards/referral-points?from&to&limit
import { leaderboardHandler } from './leaderboard-route';

export const handler = leaderboardHandler('LeaderboardReferralPoints', 'referral-points');
