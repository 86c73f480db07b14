// GET /leaderboards/network-strength?from&to&limit
import { leaderboardHandler } from './leaderboard-route';

export const handler = leaderboardHandler('LeaderboardNetworkStrength', 'network-strength');
