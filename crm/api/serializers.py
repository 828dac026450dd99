from rest_framework import serializers

from crm.models import Team, User


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "display_name", "role", "team", "time_zone", "language"]
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "lead",
            "posts_need_approval",
            "warmth_half_life_days",
            "mix_story",
            "mix_value",
            "mix_ad",
        ]
        read_only_fields = fields
